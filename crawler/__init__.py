"""newsagg crawler: Scrapy components, page parsing helpers and the demo site."""
