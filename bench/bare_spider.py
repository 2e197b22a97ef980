"""The ceiling for the crawler's design: a Scrapy spider that only follows links.

Same concurrency and politeness settings as govpatrol's crawl, nothing else.
``python bench/bare_spider.py URL CONCURRENCY``
"""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import CrawlerProcess
from scrapy.linkextractors import LinkExtractor


class BareSpider(scrapy.Spider):
    name = "bare"

    def __init__(self, url: str, **kwargs):
        super().__init__(**kwargs)
        self.start_urls = [url]
        self.netloc = urlsplit(url).netloc
        self.links = LinkExtractor()
        self.pages = 0

    def parse(self, response):
        self.pages += 1
        if not hasattr(response, "text"):
            return
        for link in self.links.extract_links(response):
            # the site's own pages only (LinkExtractor's allow_domains ignores ports)
            if urlsplit(link.url).netloc == self.netloc:
                yield response.follow(link.url, callback=self.parse)

    def closed(self, reason):
        print(f"bare_pages={self.pages}", file=sys.stderr)


if __name__ == "__main__":
    url, concurrency = sys.argv[1], int(sys.argv[2])
    process = CrawlerProcess(
        settings={
            "CONCURRENT_REQUESTS": concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": concurrency,
            # as in govpatrol's crawl (crawler/run.py): a spider that yields no items needs
            # no 100 asyncio tasks per response to process its output
            "CONCURRENT_ITEMS": 1,
            "LOG_LEVEL": "WARNING",
            "TELNETCONSOLE_ENABLED": False,
            "ROBOTSTXT_OBEY": True,
            "DEPTH_PRIORITY": 1,
            "SCHEDULER_DISK_QUEUE": "scrapy.squeues.PickleFifoDiskQueue",
            "SCHEDULER_MEMORY_QUEUE": "scrapy.squeues.FifoMemoryQueue",
        }
    )
    process.crawl(BareSpider, url=url)
    process.start()
