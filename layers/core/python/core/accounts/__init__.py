"""Customer accounts (seed 001): accounts, their account numbers and deposit addresses."""
