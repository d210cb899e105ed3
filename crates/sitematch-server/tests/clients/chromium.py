"""Headless Chromium through WebDriver, as the browser tests drive it: Debian's
chromium and chromedriver, a fresh profile, nothing fetched from elsewhere."""

import os
import tempfile

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service


def options(*extra, downloads=None):
    """Chromium's options: headless, no sandbox (a container), no background
    traffic, a profile of its own, the console kept for `console_errors`; `extra`
    flags after them; downloads saved in `downloads` without asking."""
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
    if downloads:
        o.add_experimental_option(
            "prefs",
            {"download.default_directory": downloads, "download.prompt_for_download": False},
        )
    o.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    return o


def start(o):
    """A browser with these options, through Debian's chromedriver."""
    return webdriver.Chrome(options=o, service=Service("/usr/bin/chromedriver"))


def other_tab(driver, wait, main):
    """Switches to the tab a click opened beside `main`."""
    wait.until(lambda d: len(d.window_handles) > 1)
    driver.switch_to.window([h for h in driver.window_handles if h != main][0])


def downloaded(wait, folder, ext):
    """The path of the first file ending in `ext` the browser finished saving in
    `folder` (a file still downloading ends in .crdownload)."""

    def saved(_):
        names = [n for n in os.listdir(folder) if n.endswith(ext)]
        return names[0] if names else None

    return os.path.join(folder, wait.until(saved))


def console_errors(driver):
    """The page's console errors (level SEVERE) since the last call."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
