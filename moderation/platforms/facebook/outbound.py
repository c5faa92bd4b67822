"""Facebook Pages (Graph API): reply to comments, hide/unhide, delete, Messenger DMs. No hold exists."""

from __future__ import annotations

from typing import Any

from moderation.domain import Platform
from moderation.platforms.base import Operation, PlatformAction
from moderation.platforms.meta.graph import GraphConnector


class FacebookConnector(GraphConnector):
    """`POST /{comment-id}/comments`, `POST /{comment-id}?is_hidden=true|false`, `DELETE /{comment-id}`,
    `POST /{page-id}/messages` (Send API, `messaging_type: RESPONSE`)."""

    platform = Platform.facebook
    replies_edge = "comments"
    reply_text_field = "message"
    hide_param = "is_hidden"
    caption_field = "message"
    operations = frozenset({Operation.reply, Operation.hide, Operation.unhide, Operation.delete, Operation.dm})

    def dm_body(self, action: PlatformAction) -> dict[str, Any]:
        return {**super().dm_body(action), "messaging_type": "RESPONSE"}
