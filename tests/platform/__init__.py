"""End-to-end tests of the platform adapters against the offline fakes."""
