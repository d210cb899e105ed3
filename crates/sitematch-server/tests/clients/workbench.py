"""Headless Chromium, driven through WebDriver (Selenium and chromedriver), uses the
workbench as a consultant would: it starts from an example brief, keeps it as
scenario A, moves a weight slider with the keyboard, breaks a field and mends it,
edits the TOML, compares the two scenarios, opens a site's fiche and waits for its
catchments, and exports a GeoPackage.

Usage: python3 workbench.py CONFIG_JSON, where the config names:
  base       the server's URL (no tokens)
  example    the file name of the example brief to start from
  slider     the criterion whose weight slider goes to its end (10)
  downloads  a folder the browser saves its downloads in
  shots      a folder for screenshots (optional)
  measure    how many slider moves to time (optional, default 6)
Prints one JSON object with what the browser saw; the Rust test checks it against
the library.
"""

import json
import os
import sys
import time

from selenium.webdriver.common.by import By
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

import chromium

cfg = json.loads(sys.argv[1])
base = cfg["base"]

options = chromium.options("--window-size=1400,1000", downloads=cfg["downloads"])
driver = chromium.start(options)
# The page redraws its table and form: an element read as it is replaced is read again.
wait = WebDriverWait(driver, 60, ignored_exceptions=(StaleElementReferenceException,))
seen = {}


def body(name):
    return driver.find_element(By.TAG_NAME, "body").get_attribute(f"data-{name}")


def steady(read):
    """`read()`, again while the page replaces what it reads."""
    for _ in range(50):
        try:
            return read()
        except StaleElementReferenceException:
            time.sleep(0.05)
    return read()


def table_ids():
    rows = "#table tbody tr"
    return steady(lambda: [r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, rows)])


def table_scores():
    rows = "#table tbody tr"
    return steady(lambda: [float(r.get_attribute("data-score")) for r in driver.find_elements(By.CSS_SELECTOR, rows)])


def slider(name):
    return driver.find_element(By.CSS_SELECTOR, f'input.weight[data-criterion="{name}"]')


def moved(name, key):
    """Presses a key on a slider; waits for the table it redraws; the time it took."""
    before = int(body("reweighs") or 0)
    slider(name).send_keys(key)
    wait.until(lambda d: int(body("reweighs") or 0) > before)
    # Later answers may still come for the presses before: wait for the last one.
    try:
        wait.until(lambda d: body("weights") == ",".join(weights_now()))
    except Exception:
        status = driver.find_element(By.ID, "status").text
        raise RuntimeError(f"table at weights {body('weights')}, sliders at {weights_now()}: {status}")
    return float(body("reweigh-ms"))


def weights_now():
    def read():
        out = []
        for s in driver.find_elements(By.CSS_SELECTOR, "input.weight"):
            v = float(s.get_attribute("value"))
            out.append(repr(int(v)) if v == int(v) else repr(v))
        return out

    return steady(read)


try:
    driver.get(base + "/")
    seen["title"] = driver.title
    # The page starts from its first example; then the one asked for.
    wait.until(lambda d: body("ranking"))
    opening = body("ranking")
    Select(driver.find_element(By.ID, "examples")).select_by_value(cfg["example"])
    wait.until(lambda d: body("ranking") != opening)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#table tbody tr"))
    seen["first_ids"] = table_ids()
    seen["first_ranking"] = body("ranking")
    seen["sliders"] = [s.get_attribute("data-criterion") for s in driver.find_elements(By.CSS_SELECTOR, "input.weight")]

    # Scenario A: the brief as it came.
    driver.find_element(By.ID, "keep").click()

    # A field broken: a problem at its key, in the library's words; then mended.
    zero = driver.find_element(By.CSS_SELECTOR, '[data-key="criterion[0].zero_km"]')
    old = zero.get_attribute("value")
    zero.clear()
    zero.send_keys("1", Keys.TAB)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#form .problem"))
    seen["problems"] = [
        {"key": p.get_attribute("data-key"), "text": p.text}
        for p in driver.find_elements(By.CSS_SELECTOR, "#form .problem")
    ]
    seen["problem_at_field"] = bool(
        driver.find_elements(By.CSS_SELECTOR, '[data-key="criterion[0].zero_km"].bad')
    )
    zero = driver.find_element(By.CSS_SELECTOR, '[data-key="criterion[0].zero_km"]')
    zero.clear()
    zero.send_keys(old, Keys.TAB)
    wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, "#form .problem"))

    # A weight moved to its end with the keyboard: the table re-weighed.
    seen["reweigh_ms"] = [moved(cfg["slider"], Keys.END)]
    seen["weights"] = body("weights")
    seen["moved_ids"] = table_ids()
    seen["moved_scores"] = table_scores()
    if cfg.get("shots"):
        driver.execute_script("document.getElementById('results').scrollTop = 0; document.getElementById('editor').scrollTop = 0;")
        driver.save_screenshot(os.path.join(cfg["shots"], "workbench.png"))

    # The TOML both ways: the moved weight is in it; a `top` typed there redraws.
    driver.find_element(By.CSS_SELECTOR, '.tabs [data-tab="toml"]').click()
    text = driver.find_element(By.ID, "text")
    wait.until(lambda d: "weight = 10" in text.get_attribute("value"))
    seen["toml"] = text.get_attribute("value")
    driver.execute_script(
        "const t = document.getElementById('text');"
        "t.value = /^top = /m.test(t.value) ? t.value.replace(/^top = \\d+/m, 'top = 5')"
        " : t.value.replace(/^(name = .*)$/m, '$1\\ntop = 5');"
        "t.dispatchEvent(new Event('input'));"
    )
    wait.until(lambda d: len(table_ids()) == 5)
    seen["top5_ids"] = table_ids()
    driver.find_element(By.CSS_SELECTOR, '.tabs [data-tab="form"]').click()
    seen["form_top"] = driver.find_element(By.CSS_SELECTOR, '[data-key="top"]').get_attribute("value")
    # Back to the example's top, for the comparison and the export.
    top = driver.find_element(By.CSS_SELECTOR, '[data-key="top"]')
    top.clear()
    top.send_keys(str(len(seen["moved_ids"])), Keys.TAB)
    wait.until(lambda d: len(table_ids()) == len(seen["moved_ids"]))

    # Scenario A against the moved weights.
    driver.find_element(By.ID, "compare").click()
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#comparison table tbody tr"))
    seen["compare_rows"] = [
        {
            "id": r.get_attribute("data-id"),
            "cells": [c.text for c in r.find_elements(By.TAG_NAME, "td")],
        }
        for r in driver.find_elements(By.CSS_SELECTOR, "#comparison table tbody tr")
    ]
    seen["compare_text"] = driver.find_element(By.ID, "comparison").find_element(By.TAG_NAME, "p").text

    # More slider moves, timed from the key press to the table drawn: each slider a
    # step down (none is at 0), then back up.
    for back in (False, True):
        for i in range(int(cfg.get("measure", 6))):
            name = seen["sliders"][i % len(seen["sliders"])]
            ms = moved(name, Keys.ARROW_RIGHT if back else Keys.ARROW_LEFT)
            seen["reweigh_ms"].append(ms)
    seen["final_weights"] = body("weights")
    seen["final_ids"] = table_ids()

    # The fiche of the first site, in a new tab, with its catchments.
    main = driver.current_window_handle
    first = driver.find_element(By.CSS_SELECTOR, "#table tbody tr")
    seen["fiche_site"] = first.get_attribute("data-id")
    first.click()
    chromium.other_tab(driver, wait, main)
    wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-catchments"))
    seen["fiche_catchments"] = body("catchments")
    seen["fiche_title"] = driver.find_element(By.TAG_NAME, "h1").text
    seen["fiche_paths"] = len(driver.find_elements(By.CSS_SELECTOR, ".leaflet-overlay-pane path.leaflet-interactive"))
    seen["fiche_receipt"] = driver.find_element(By.CSS_SELECTOR, "pre.receipt").text
    seen["fiche_ranking"] = body("ranking")
    seen["fiche_note"] = driver.find_element(By.ID, "catchment-note").text
    if cfg.get("shots"):
        driver.save_screenshot(os.path.join(cfg["shots"], "fiche.png"))
    driver.close()
    driver.switch_to.window(main)

    # The GeoPackage, downloaded as a person would.
    driver.find_element(By.CSS_SELECTOR, '[data-export="gpkg"]').click()

    seen["gpkg"] = chromium.downloaded(wait, cfg["downloads"], ".gpkg")
    seen["console_errors"] = chromium.console_errors(driver)
finally:
    driver.quit()
print(json.dumps(seen))
