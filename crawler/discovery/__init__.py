"""Article candidates from feeds, sitemaps, robots.txt and listing pages. Pure."""
