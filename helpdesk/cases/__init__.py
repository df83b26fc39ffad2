"""Applications (cases) in the service's case system: the portal's copy of their status."""
