"""Headless Chromium uses the workbench of a server with tokens: the page asks for
a token, takes it, then ranks a brief file opened from the disk, opens a site's
fiche and saves the CSV, each request bearing the token.

Usage: python3 workbench_token.py CONFIG_JSON, where the config names:
  base       the server's URL
  token      a token of scope rank
  brief      a brief file to open
  downloads  a folder the browser saves its downloads in
Prints one JSON object with what the browser saw; the Rust test checks it.
"""

import json
import sys

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

import chromium

cfg = json.loads(sys.argv[1])
options = chromium.options(downloads=cfg["downloads"])
driver = chromium.start(options)
wait = WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,))
seen = {}


def body(name):
    return driver.find_element(By.TAG_NAME, "body").get_attribute(f"data-{name}")


try:
    driver.get(cfg["base"] + "/workbench")
    box = driver.find_element(By.ID, "tokenbox")
    wait.until(lambda d: box.is_displayed())
    def status():
        # The status line may be cut by the bar's width: its text, shown or not.
        return driver.find_element(By.ID, "status").get_attribute("textContent")

    wait.until(lambda d: "token" in status())
    seen["asked"] = status()
    driver.find_element(By.ID, "token").send_keys(cfg["token"], Keys.ENTER)
    # The examples name the default data set's layers: once one is checked, open the
    # brief file instead.
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#form fieldset"))
    driver.find_element(By.ID, "open").send_keys(cfg["brief"])
    wait.until(lambda d: body("ranking"))
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#table tbody tr"))
    seen["ids"] = [r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, "#table tbody tr")]
    main = driver.current_window_handle
    driver.find_element(By.CSS_SELECTOR, "#table tbody tr").click()
    chromium.other_tab(driver, wait, main)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "pre.receipt"))
    wait.until(lambda d: body("catchments"))
    seen["fiche_receipt"] = driver.find_element(By.CSS_SELECTOR, "pre.receipt").text
    seen["fiche_catchments"] = body("catchments")
    driver.close()
    driver.switch_to.window(main)
    driver.find_element(By.CSS_SELECTOR, '[data-export="csv"]').click()

    seen["csv"] = chromium.downloaded(wait, cfg["downloads"], ".csv")
    seen["console_errors"] = chromium.console_errors(driver)
finally:
    driver.quit()
print(json.dumps(seen))
