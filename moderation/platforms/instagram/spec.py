"""Instagram, declared once: what the Graph API lets a business account do, its limits, its webhook."""

from moderation.domain import Platform
from moderation.platforms.instagram.outbound import InstagramConnector
from moderation.platforms.meta.connectors import graph_factory
from moderation.platforms.meta.webhook import META_WEBHOOK
from moderation.platforms.rate_limit import RateLimit
from moderation.platforms.spec import PlatformSpec

SPEC = PlatformSpec(
    platform=Platform.instagram,
    capabilities=InstagramConnector.operations,  # hide/unhide, delete, reply, private reply (DM); no hold
    text_limits={"public": 2200, "dm": 1000},  # caption/comment limit 2,200; Instagram DMs 1,000
    rate_limit=RateLimit(per_second=1.0, burst=5),  # well under ~200 calls/user/hour for app-level use
    connector=graph_factory(InstagramConnector),
    webhook=META_WEBHOOK,
    api="graph",
    aliases=("ig", "insta"),
)
