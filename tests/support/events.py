"""The sample API Gateway events of events/ (the same loader `localapi invoke` uses)."""

from localapi.events import event_names, load_event, sign_event

__all__ = ["event_names", "load_event", "sign_event"]
