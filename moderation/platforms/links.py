"""Links to a comment or a post on its platform, from the ids the platforms give (for alerts and cards).

Best effort: Instagram's web links use a shortcode the comment webhook does not carry, so the post id is
shown with Instagram's own permalink form when it looks like one; a link is never invented from nothing."""

from __future__ import annotations

from moderation.domain import Platform


def comment_link(platform: str, post_id: str | None, comment_id: str | None = None) -> str | None:
    """Where a person can see the comment (or its post) on the platform, when the ids allow it."""
    if not post_id:
        return None
    match Platform(platform):
        case Platform.youtube:
            return f"https://www.youtube.com/watch?v={post_id}" + (f"&lc={comment_id}" if comment_id else "")
        case Platform.facebook:
            link = f"https://www.facebook.com/{post_id}"
            return link + (f"?comment_id={comment_id}" if comment_id else "")
        case Platform.tiktok:
            return f"https://www.tiktok.com/video/{post_id}"
        case Platform.instagram:
            # Media ids are numeric; shortcodes (what the web uses) are not.
            return None if post_id.isdigit() else f"https://www.instagram.com/p/{post_id}/"
    return None
