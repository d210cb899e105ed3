"""Headless Chromium, driven through WebDriver (Selenium and chromedriver), uses the
server as a person and as a web map of another origin would.

Usage: python3 browser.py CONFIG_JSON, where the config names:
  html_base    a server without tokens: its HTML views are browsed by clicking
  layer        a data layer of it, read 3 features a page
  cors_url     an items URL of a server that allows the origin http://127.0.0.1:allowed
  token        a token of that server
  allowed      a free loopback port: a page served there may read the server
  other        another free port: a page served there may not
Prints one JSON object with what the browser saw; the Rust test checks it.
"""

import http.server
import json
import sys
import threading
import urllib.parse

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import chromium

cfg = json.loads(sys.argv[1])

# A web map's page: it fetches the URL its hash names (with a token, if named) and
# writes what came back, or the error, into the page.
PAGE = b"""<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<pre id="out">waiting</pre><script>
const ask = JSON.parse(decodeURIComponent(location.hash.slice(1)));
(async () => {
  const out = {};
  try {
    const headers = ask.token ? {Authorization: "Bearer " + ask.token} : {};
    const r = await fetch(ask.url, {headers});
    out.status = r.status;
    const body = await r.json();
    out.ids = (body.features || []).map(f => f.id);
  } catch (e) {
    out.error = String(e);
  }
  document.getElementById("out").textContent = JSON.stringify(out);
  document.body.dataset.done = "1";
})();
</script></body></html>"""


class Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)

    def log_message(self, *args):
        pass


for port in (cfg["allowed"], cfg["other"]):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()

driver = chromium.start(chromium.options())
wait = WebDriverWait(driver, 20)
seen = {}
try:

    visits = iter(range(1000))

    def web_map(port, token):
        ask = urllib.parse.quote(json.dumps({"url": cfg["cors_url"], "token": token}))
        # A new path each time: a change of hash alone would not load the page again.
        driver.get(f"http://127.0.0.1:{port}/visit-{next(visits)}#{ask}")
        wait.until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-done"))
        return json.loads(driver.find_element(By.ID, "out").text)

    seen["allowed"] = web_map(cfg["allowed"], cfg["token"])
    seen["allowed_no_token"] = web_map(cfg["allowed"], None)
    seen["other"] = web_map(cfg["other"], cfg["token"])

    # A person: the landing page, then clicks.
    base = cfg["html_base"]
    # A browser at / gets the workbench; the API's landing page is at ?f=html.
    driver.get(base + "/")
    seen["root_title"] = driver.title
    driver.get(base + "/?f=html")
    seen["landing_title"] = driver.title
    driver.find_element(By.LINK_TEXT, "collections").click()
    seen["collections_title"] = driver.title
    rows = driver.find_elements(By.CSS_SELECTOR, "table tr td:first-child a")
    seen["collections"] = [r.text for r in rows]
    ranking = next(r for r in rows if r.text.startswith("ranking-"))
    seen["ranking"] = ranking.text
    ranking.click()
    driver.find_element(By.LINK_TEXT, "The items").click()
    seen["ranking_ids"] = [
        r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, "tr[data-id]")
    ]
    driver.find_element(By.CSS_SELECTOR, "tr[data-id] a").click()
    seen["receipt"] = driver.find_element(By.CSS_SELECTOR, "pre.receipt").text
    # A data layer, three features a page, and its next page.
    driver.get(f"{base}/collections/{cfg['layer']}/items?limit=3")
    pages = []
    while True:
        pages.append(
            [r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, "tr[data-id]")]
        )
        nexts = driver.find_elements(By.CSS_SELECTOR, "a[rel=next]")
        if not nexts or len(pages) > 20:
            break
        nexts[0].click()
    seen["layer_pages"] = pages
finally:
    driver.quit()
print(json.dumps(seen))
