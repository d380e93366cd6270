"""From a page's HTML and URL to article fields: body, title, dates, language, encoding, alternates. Pure."""
