"""Social platforms: the connector interface, the in-process sandbox, and (later) the real connectors."""
