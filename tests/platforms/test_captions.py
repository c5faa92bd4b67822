"""Post captions through each platform's API (what "how much is this?" refers to), against the loopback fake."""

from __future__ import annotations

from moderation.platforms.facebook.outbound import FacebookConnector
from moderation.platforms.instagram.outbound import InstagramConnector
from moderation.platforms.tiktok.outbound import TikTokConnector
from moderation.platforms.youtube.outbound import YouTubeConnector
from tests.platforms.fake_platforms import TOKEN


async def test_each_platform_reads_a_caption(fake, platform_url, client) -> None:
    fake.captions.update({"ig-media-1": "New in: the Chevron Tote", "104_55": "Meet the Sérum Éclat",
                          "vid1": "How we make the 01\nShot in our Porto workshop", "7400": "POV: the trench"})
    instagram = InstagramConnector(client, account_id="17841400000000000", token=TOKEN,
                                   base_url=f"{platform_url}/graph")
    facebook = FacebookConnector(client, account_id="104", token=TOKEN, base_url=f"{platform_url}/graph")
    youtube = YouTubeConnector(client, account_id="UCchannel", token=TOKEN, base_url=f"{platform_url}/youtube/v3")
    tiktok = TikTokConnector(client, account_id="biz1", token=TOKEN, base_url=f"{platform_url}/tiktok")
    assert await instagram.fetch_caption("ig-media-1") == "New in: the Chevron Tote"
    assert await facebook.fetch_caption("104_55") == "Meet the Sérum Éclat"
    assert await youtube.fetch_caption("vid1") == "How we make the 01\nShot in our Porto workshop"
    assert await tiktok.fetch_caption("7400") == "POV: the trench"
    assert await youtube.fetch_caption("gone") is None
    assert await tiktok.fetch_caption("gone") is None
    assert fake.calls["GET /graph/v21.0/ig-media-1"] == 1
