"""Instagram (Graph API, Instagram professional accounts): reply, hide/unhide, delete, DM. No hold exists."""

from __future__ import annotations

from moderation.domain import Platform
from moderation.platforms.base import Operation
from moderation.platforms.meta.graph import GraphConnector


class InstagramConnector(GraphConnector):
    """`POST /{ig-comment-id}/replies`, `POST /{ig-comment-id}?hide=true|false`, `DELETE /{ig-comment-id}`,
    `POST /{ig-user-id}/messages` (a private reply when answering a comment)."""

    platform = Platform.instagram
    replies_edge = "replies"
    reply_text_field = "text"
    hide_param = "hide"
    caption_field = "caption"
    operations = frozenset({Operation.reply, Operation.hide, Operation.unhide, Operation.delete, Operation.dm})

    def conversation_params(self) -> dict[str, str]:
        return {"platform": "instagram"}
