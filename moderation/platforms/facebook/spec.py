"""Facebook Pages, declared once: what the Graph API lets a Page do, its limits, its webhook."""

from moderation.domain import Platform
from moderation.platforms.facebook.outbound import FacebookConnector
from moderation.platforms.meta.connectors import graph_factory
from moderation.platforms.meta.webhook import META_WEBHOOK
from moderation.platforms.rate_limit import RateLimit
from moderation.platforms.spec import PlatformSpec

SPEC = PlatformSpec(
    platform=Platform.facebook,
    capabilities=FacebookConnector.operations,  # hide/unhide, delete, reply, Messenger DM; no hold
    text_limits={"public": 8000, "dm": 2000},  # Messenger's Send API caps text at 2,000
    rate_limit=RateLimit(per_second=2.0, burst=10),
    connector=graph_factory(FacebookConnector),
    webhook=META_WEBHOOK,
    api="graph",
    aliases=("fb", "messenger"),
)
