"""The one composition root: everything a socialops process runs is built here from the validated settings
(`core`: classifier, playbooks, connectors, webhook app; `processes`: scheduler, worker loop, chat surfaces,
servers). Nothing outside `socialops/` imports it."""
