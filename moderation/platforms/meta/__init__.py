"""What Instagram and Facebook share: the Graph API client and the signed webhook delivery format."""
