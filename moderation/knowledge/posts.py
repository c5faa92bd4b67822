"""Which product a post is about: the configured mapping first, else its caption (read once, then cached)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from sqlmodel import select

from moderation.domain import utcnow
from moderation.storage import Database
from moderation.storage.tables import PostCaptionRow

logger = logging.getLogger(__name__)

# (platform, account id) -> the connector that can read that platform's posts, or None.
CaptionReader = Callable[[str, str | None], object | None]


class PostProducts:
    """`posts` maps a post id (or "platform:post id") to a sku, `campaigns` a campaign tag to a sku; otherwise
    the caption is read through the platform API once per post, stored in `post_captions`, and the product it
    names (exactly one) is the post's."""

    def __init__(self, db: Database | None, caption_product: Callable[[str], str | None], *,
                 posts: Mapping[str, str] | None = None, campaigns: Mapping[str, str] | None = None,
                 reader: CaptionReader | None = None,
                 caption_products: Callable[[str], tuple[str, ...]] | None = None) -> None:
        self.db = db
        self.caption_product = caption_product
        self.caption_products = caption_products
        self.posts = dict(posts or {})
        self.campaigns = dict(campaigns or {})
        self.reader = reader
        self._captions: dict[str, str | None] = {}  # this process's copy of post_captions

    async def sku_for(self, platform: str, post_id: str | None, campaign: str | None,
                      account_id: str | None = None) -> str | None:
        if post_id:
            mapped = self.posts.get(f"{platform}:{post_id}") or self.posts.get(post_id)
            if mapped:
                return mapped
        if campaign and campaign in self.campaigns:
            return self.campaigns[campaign]
        if not post_id:
            return None
        caption = await self.caption(platform, post_id, account_id)
        return self.caption_product(caption) if caption else None

    async def skus_for(self, platform: str, post_id: str | None, campaign: str | None,
                       account_id: str | None = None) -> tuple[str, ...]:
        """Every product the post may be about: the mapped one, else each its caption names (an outfit post
        names two; the question then says which, "in navy?")."""
        if self.caption_products is None or (post_id and (self.posts.get(f"{platform}:{post_id}")
                                                         or self.posts.get(post_id))) or (
                campaign and campaign in self.campaigns) or not post_id:
            sku = await self.sku_for(platform, post_id, campaign, account_id)
            return (sku,) if sku else ()
        caption = await self.caption(platform, post_id, account_id)
        return self.caption_products(caption) if caption else ()

    async def caption(self, platform: str, post_id: str, account_id: str | None = None) -> str | None:
        key = f"{platform}:{post_id}"
        if key in self._captions:
            return self._captions[key]
        if self.db is not None:  # database steps in its threads (`Database.run`): the worker shares the loop
            row = await self.db.run(self._stored, key)
            if row is not None:
                self._captions[key] = row.caption
                return row.caption
        caption, read = await self._fetch(platform, post_id, account_id)
        if not read:
            return None  # an API error: asked again next time, not cached as "no caption"
        self._captions[key] = caption
        if self.db is not None:
            try:
                await self.db.run(self._store, key, caption)
            except Exception:  # noqa: BLE001 - another worker stored it first: theirs is as good
                logger.debug("moderation.knowledge.caption_store_race", extra={"post": key})
        return caption

    def _stored(self, key: str) -> PostCaptionRow | None:
        assert self.db is not None
        with self.db.session() as session:
            return session.exec(select(PostCaptionRow).where(PostCaptionRow.id == key)).first()

    def _store(self, key: str, caption: str | None) -> None:
        assert self.db is not None
        with self.db.session() as session:
            if session.get(PostCaptionRow, key) is None:
                session.add(PostCaptionRow(id=key, caption=caption, fetched_at=utcnow()))

    async def _fetch(self, platform: str, post_id: str, account_id: str | None) -> tuple[str | None, bool]:
        """(caption, whether the platform answered)."""
        connector = self.reader(platform, account_id) if self.reader is not None else None
        fetch = getattr(connector, "fetch_caption", None)
        if fetch is None:
            return None, False
        try:
            return await fetch(post_id), True
        except Exception as exc:  # noqa: BLE001 - no caption means no "this"; the question is still answered
            logger.warning("moderation.knowledge.caption_failed",
                           extra={"platform": platform, "post_id": post_id, "error": type(exc).__name__})
            return None, False
