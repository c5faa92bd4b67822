"""Social platforms: inbound and outbound protocols, a registry keyed by platform name, one folder each."""
