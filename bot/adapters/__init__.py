"""Platform adapters: they translate platform events into service calls and back."""
