"""Events (`/v1/events`): the outbox that every change writes, read back by partners."""
