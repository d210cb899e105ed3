"""Headless Chromium through WebDriver, as the browser tests drive it: Debian's
chromium and chromedriver, a fresh profile, nothing fetched from elsewhere."""

import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service


def options(*extra):
    """Chromium's options: headless, no sandbox (a container), no background
    traffic, a profile of its own; `extra` flags after them."""
    o = Options()
    o.binary_location = "/usr/bin/chromium"
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tempfile.mkdtemp()}",
        *extra,
    ):
        o.add_argument(flag)
    return o


def start(o):
    """A browser with these options, through Debian's chromedriver."""
    return webdriver.Chrome(options=o, service=Service("/usr/bin/chromedriver"))
