"""The browser viewer end to end: the real `fractile serve`, headless Chromium, real tiles and probes.

Needs Debian's /usr/bin/chromium and /usr/bin/chromedriver (no Selenium Manager, no network).
Screenshots go to the `artifacts` directory: viewer-first-screen.png, viewer-probe.png, viewer-phone*.png.
"""
import json
import math
import pathlib
import re
import urllib.parse
from fractions import Fraction

import pytest

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

import pngread  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
# The viewer's own files (ES modules and all): a warning that names one of them is a problem of ours.
OUR_FILES = tuple(sorted(path.name for path in (pathlib.Path(__file__).resolve().parents[2] / "Public").iterdir()))
# The server may shed load with 503 + Retry-After; Chrome logs that as an error, the viewer retries the tile.
# Chrome also aborts in-flight requests with ERR_NETWORK_CHANGED when the machine's interfaces change (containers
# starting elsewhere on a shared machine); that is the environment, not the page, and the viewer retries those tiles.
RETRIED_TILE = re.compile(r"/tiles/\S+\.png - Failed to load resource: "
                          r"(the server responded with a status of 503|net::ERR_NETWORK_CHANGED)")
WAIT = 150  # a cold tile takes a second or more on a loaded 2-core machine, and a view needs about 20
COMPLEX = re.compile(r"(-?\d+(?:\.\d+)?) ([+-]) (\d+(?:\.\d+)?)i")
# The plain-words verb of each regime's sentence.
REGIME_WORDS = {
    "ordered": "ordered", "chaotic": "chaotic", "escaped": "escapes",
    "converged": "converges", "saturated": "saturated", "diverged": "diverges", "undecided": "undecided",
    "vanished": "vanishes", "exploded": "explodes", "unit_circle": "unit circle", "bounded": "bounded",
}
# A trainability pixel is a whole network's training: its words say what the network did.
TRAINABILITY_WORDS = {"converged": "trains", "diverged": "blows up", "stalled": "stalls"}


class Browser:
    """A headless Chromium that keeps every console entry it has shown."""

    def __init__(self, width, height, device_scale=None):
        options = Options()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                         "--window-size=%d,%d" % (width, height)):
            options.add_argument(argument)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(60)
        self.console = []
        if device_scale:
            # A phone: small viewport, two device pixels per CSS pixel, touch.
            self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
                "width": width, "height": height, "deviceScaleFactor": device_scale, "mobile": True})
            self.driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True, "maxTouchPoints": 5})

    def open(self, server, fragment=""):
        self.driver.get(server.url + "/" + fragment)
        self.wait(lambda d: d.execute_script(
            "return !!document.querySelector('#switcher button[aria-pressed=\"true\"]')"
            " && /map=/.test(location.hash) && !!document.querySelector('#map.leaflet-container')"),
            "the viewer did not show a map")

    def wait(self, condition, message, timeout=WAIT):
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2).until(condition)
        except TimeoutException:
            pytest.fail("%s (console: %s)" % (message, self.read_console()))

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def hash_view(self):
        params = dict(urllib.parse.parse_qsl(self.js("return location.hash").lstrip("#")))
        return {"map": params.get("map"), "z": int(params["z"]), "re": params["re"], "im": params["im"]}

    def loaded_tiles(self):
        return self.js("return Array.from(document.querySelectorAll('#map img.leaflet-tile-loaded'), i => i.src)")

    def wait_for_tiles(self, pattern, message):
        """Waits until loaded tiles match `pattern` and no tile is still loading; returns their URLs."""
        def ready(driver):
            tiles = [src for src in self.loaded_tiles() if re.search(pattern, src)]
            idle = driver.execute_script("return document.getElementById('loading').hidden")
            return tiles if tiles and idle else False
        return self.wait(ready, message)

    def read_console(self):
        self.console.extend(self.driver.get_log("browser"))
        return self.console

    def console_problems(self):
        problems = []
        for entry in self.read_console():
            text = entry.get("message", "")
            if entry["level"] == "SEVERE" and not RETRIED_TILE.search(text):
                problems.append(entry)
            elif entry["level"] == "WARNING" and any(name in text for name in OUR_FILES):
                problems.append(entry)
        return problems

    def readout(self):
        """The complex number shown by the coordinate display, as (re, im)."""
        text = self.driver.find_element(By.ID, "readout").text
        match = COMPLEX.search(text)
        assert match, "coordinate display shows no complex number: %r" % text
        im = float(match.group(3)) * (-1 if match.group(2) == "-" else 1)
        return float(match.group(1)), im, text

    def canvas_colours(self, selector):
        return self.js("""
            const canvas = document.querySelector(arguments[0]);
            if (!canvas || !canvas.width || !canvas.height) return 0;
            const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
            const colours = new Set();
            for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0) colours.add(data[i] << 16 | data[i + 1] << 8 | data[i + 2]);
            return colours.size;""", selector)

    def quit(self):
        self.driver.quit()


@pytest.fixture
def browser():
    started = []

    def start(width=1280, height=800, device_scale=None):
        started.append(Browser(width, height, device_scale))
        return started[-1]

    yield start
    for each in started:
        each.quit()


def assert_clean_console(page):
    problems = page.console_problems()
    assert not problems, "browser console: %s" % problems


def tile_colours(server, src):
    status, _, body = server.get(urllib.parse.urlparse(src).path)
    assert status == 200, (src, status)
    _, _, rows, _ = pngread.decode(body)
    return {pixel for row in rows for pixel in row}


def copy_link(page, server):
    """Clicks "Copy link" and returns what reached the clipboard."""
    page.driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": server.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    page.driver.find_element(By.ID, "copy-link").click()
    page.wait(lambda d: d.find_element(By.ID, "copy-link").text == "Copied", "copy link did not say Copied")
    copied = page.driver.execute_async_script(
        "navigator.clipboard.readText().then(arguments[0], (e) => arguments[0]('failed: ' + e))")
    return copied


def test_first_screen_shows_tiles_switcher_and_legend(server, browser, artifacts):
    maps = server.json("/maps.json")["maps"]
    first = maps[0]
    page = browser()
    page.open(server)
    view = page.hash_view()
    assert view["map"] == first["name"]
    tiles = page.wait_for_tiles(r"/tiles/%s/%d/\d+/\d+\.png$" % (re.escape(first["name"]), view["z"]),
                                "no tiles of the first map arrived")
    # Tiles are real pictures: together they show more than one colour, and one tile alone does too.
    per_tile = [tile_colours(server, src) for src in tiles[:8]]
    assert any(len(colours) > 1 for colours in per_tile), "every tile is a single colour"
    # The map fills the window.
    rect = page.js("const r = document.getElementById('map').getBoundingClientRect();"
                   "return [r.left, r.top, r.width, r.height, innerWidth, innerHeight]")
    assert rect[:2] == [0, 0] and rect[2] == rect[4] and rect[3] == rect[5], rect
    # The switcher lists every map by title; the legend shows the first map's colours.
    buttons = page.driver.find_elements(By.CSS_SELECTOR, "#switcher button")
    assert [b.text for b in buttons] == [m["title"] for m in maps]
    assert all(b.is_displayed() for b in buttons)
    legend = page.driver.find_elements(By.CSS_SELECTOR, "#legend-items li")
    assert len(legend) == len(first["fractile"]["legend"])
    assert first["fractile"]["legend"][0]["meaning"] in legend[0].text
    # The coordinate display shows the centre; moving the pointer shows the point under it.
    re0, im0, _ = page.readout()
    ActionChains(page.driver).move_to_element_with_offset(
        page.driver.find_element(By.ID, "map"), 150, 100).perform()
    page.wait(lambda d: page.readout()[2].startswith("c = ") and page.readout()[:2] != (re0, im0),
              "the coordinate display does not follow the pointer")
    re1, im1, _ = page.readout()
    assert re1 > re0 and im1 < im0, "pointer right of and below the centre must mean larger re, smaller im"
    page.driver.save_screenshot(str(artifacts / "viewer-first-screen.png"))
    # Copy link copies the URL and says so.
    page.driver.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": server.url, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]})
    page.driver.find_element(By.ID, "copy-link").click()
    page.wait(lambda d: d.find_element(By.ID, "copy-link").text == "Copied", "copy link did not say Copied")
    assert_clean_console(page)


def test_zoom_in_updates_hash_and_loads_deeper_tiles(server, browser):
    page = browser()
    page.open(server)
    before = page.hash_view()
    page.wait_for_tiles(r"/tiles/%s/%d/" % (re.escape(before["map"]), before["z"]), "no tiles on the first screen")
    # Keypad plus: a typed "+" carries Shift, which Leaflet reads as "zoom in by 3".
    page.driver.find_element(By.ID, "map").send_keys(Keys.ADD)
    page.wait(lambda d: page.hash_view()["z"] == before["z"] + 1, "'+' on the map did not zoom in by one")
    page.wait_for_tiles(r"/tiles/%s/%d/" % (re.escape(before["map"]), before["z"] + 1), "no tiles of the new zoom")
    # The zoom control works too.
    page.driver.find_element(By.CSS_SELECTOR, ".leaflet-control-zoom-in").click()
    page.wait(lambda d: page.hash_view()["z"] == before["z"] + 2, "the zoom control did not zoom in")
    page.wait_for_tiles(r"/tiles/%s/%d/" % (re.escape(before["map"]), before["z"] + 2), "no tiles after the zoom control")
    assert_clean_console(page)


def test_shared_url_restores_map_zoom_and_centre(server, browser):
    maps = server.json("/maps.json")["maps"]
    chosen = maps[1]
    frame = chosen["fractile"]
    z = min(3, chosen["maxzoom"])
    re_text = repr(frame["center"][0] + frame["span"] * 0.123456789)
    im_text = repr(frame["center"][1] - frame["span"] * 0.0654321)
    page = browser()
    page.open(server, "#map=%s&z=%d&re=%s&im=%s" % (chosen["name"], z, re_text, im_text))
    page.wait_for_tiles(r"/tiles/%s/%d/" % (re.escape(chosen["name"]), z), "no tiles of the shared view")
    assert page.hash_view() == {"map": chosen["name"], "z": z, "re": re_text, "im": im_text}
    active = page.driver.find_element(By.CSS_SELECTOR, "#switcher button[aria-pressed='true']")
    assert active.text == chosen["title"]
    re_shown, im_shown, text = page.readout()
    pixel = frame["span"] / (256 * 2 ** z)
    assert abs(re_shown - float(re_text)) < pixel and abs(im_shown - float(im_text)) < pixel, text
    # Editing the hash by hand moves the view too.
    other = maps[2]
    page.js("location.hash = arguments[0]", "#map=%s&z=2&re=%r&im=%r" % (
        other["name"], other["fractile"]["center"][0], other["fractile"]["center"][1]))
    page.wait_for_tiles(r"/tiles/%s/2/" % re.escape(other["name"]), "editing the hash did not switch the map")
    assert page.hash_view()["map"] == other["name"]
    assert_clean_console(page)


def probe_and_check(page, server, artifacts=None, screenshot=None):
    """Clicks the middle of the map; checks the panel against the server's own probe of that point."""
    ActionChains(page.driver).move_to_element(page.driver.find_element(By.ID, "map")).click().perform()
    page.wait(lambda d: d.execute_script("return document.getElementById('probe').dataset.state") == "ready"
              and d.find_element(By.ID, "probe").is_displayed(), "the probe panel did not open")
    panel = page.js("const p = document.getElementById('probe').dataset; return [p.map, p.re, p.im, p.regime, p.query]")
    name, re_text, im_text, regime, query = panel
    # The panel's probe carries the live parameters of the side clicked (none: the shipped settings).
    expected = server.json("/probe/%s?re=%s&im=%s%s" % (name, re_text, im_text, "&" + query if query else ""))
    assert regime == expected["regime"]
    sentence = page.driver.find_element(By.ID, "probe-sentence").text
    words = TRAINABILITY_WORDS if expected["kind"] == "trainability" else REGIME_WORDS
    assert words[regime] in sentence and len(sentence) > 30, sentence
    # A trainability pixel's story is its loss curve; the other kinds plot their orbit in the plane.
    if expected["kind"] != "trainability":
        assert page.canvas_colours("#orbit-plot") > 3, "the orbit plot is empty"
    assert page.js("return document.querySelectorAll('#map path.probe-marker').length") == 1, "no marker on the map"
    if expected["kind"] in ("gradient_basin", "trainability"):
        assert page.canvas_colours("#loss-plot") > 3, "the loss plot is empty"
    if screenshot:
        page.driver.save_screenshot(str(artifacts / screenshot))
    return expected


def test_probe_panel_and_layer_switch(server, browser, artifacts):
    maps = server.json("/maps.json")["maps"]
    page = browser()
    page.open(server)
    page.wait_for_tiles(r"/tiles/%s/" % re.escape(maps[0]["name"]), "no tiles of the first map")
    probe_and_check(page, server, artifacts, "viewer-probe.png")
    # Escape closes the panel and removes the marker.
    page.driver.find_element(By.ID, "map").send_keys(Keys.ESCAPE)
    page.wait(lambda d: not d.find_element(By.ID, "probe").is_displayed(), "Escape did not close the panel")
    assert page.js("return document.querySelectorAll('#map path.probe-marker').length") == 0
    # Switch to a gradient map with the switcher: the hash and the tiles follow; probing shows a loss curve.
    gradient = next(m for m in maps if m["kind"] == "gradient_basin")
    page.driver.find_element(By.CSS_SELECTOR, "#switcher button[data-map='%s']" % gradient["name"]).click()
    page.wait(lambda d: page.hash_view()["map"] == gradient["name"], "the hash did not follow the switch")
    page.wait_for_tiles(r"/tiles/%s/" % re.escape(gradient["name"]), "no tiles of the new map")
    probe_and_check(page, server, artifacts, "viewer-probe-gradient.png")
    page.driver.find_element(By.ID, "probe-close").click()
    page.wait(lambda d: not d.find_element(By.ID, "probe").is_displayed(), "the close button did not close the panel")
    assert_clean_console(page)


def test_phone_sized_window(server, browser, artifacts):
    page = browser(390, 844, device_scale=2)
    page.open(server)
    view = page.hash_view()
    tiles = page.wait_for_tiles(r"/tiles/%s/" % re.escape(view["map"]), "no tiles on the phone")
    # A DPR-2 screen gets @2x tiles of the zoom it shows, not tiles of the next zoom.
    assert all(re.search(r"/%d/\d+/\d+@2x\.png$" % view["z"], src) for src in tiles), tiles
    layout = page.js("""
        const box = (s) => { const r = document.querySelector(s).getBoundingClientRect();
                             return [r.left, r.top, r.right, r.bottom]; };
        return {width: innerWidth, height: innerHeight, scroll: document.documentElement.scrollWidth,
                body: document.body.scrollWidth, map: box('#map'), switcher: box('#switcher'),
                copy: box('#copy-link'), zoom: box('.leaflet-control-zoom'), readout: box('#readout')};""")
    assert layout["width"] == 390
    assert layout["scroll"] <= layout["width"] and layout["body"] <= layout["width"], layout
    assert layout["map"] == [0, 0, layout["width"], layout["height"]], layout
    for control in ("switcher", "copy", "zoom", "readout"):
        left, top, right, bottom = layout[control]
        assert 0 <= left and right <= layout["width"] and 0 <= top and bottom <= layout["height"], (control, layout)
    page.driver.save_screenshot(str(artifacts / "viewer-phone.png"))
    probe_and_check(page, server)
    sheet = page.js("const r = document.getElementById('probe').getBoundingClientRect();"
                    "return [r.left, r.right, r.bottom, innerWidth, innerHeight]")
    assert sheet[0] >= 0 and sheet[1] <= sheet[3] and sheet[2] <= sheet[4] + 1, sheet
    page.driver.save_screenshot(str(artifacts / "viewer-phone-probe.png"))
    assert_clean_console(page)


def test_banner_when_the_server_goes_away(server, browser):
    page = browser()
    page.open(server)
    view = page.hash_view()
    page.wait_for_tiles(r"/tiles/%s/%d/" % (re.escape(view["map"]), view["z"]), "no tiles on the first screen")
    assert not page.driver.find_element(By.ID, "banner").is_displayed()
    server.stop()
    page.driver.find_element(By.CSS_SELECTOR, ".leaflet-control-zoom-in").click()
    page.wait(lambda d: d.find_element(By.ID, "banner").is_displayed(), "no banner when tiles fail")
    assert "could not be loaded" in page.driver.find_element(By.ID, "banner-text").text
    # The console holds the failed requests here; nothing else is checked about it.


# ---------- depth: Leaflet's local world, exact decimal centres, deep links ----------

TILE = 256
DEEP_Z = 80
TILE_URL = re.compile(r"/tiles/([^/]+)/(\d+)/(\d+)/(\d+)(@2x)?\.png$")


def tile_of(frame, z, re_text, im_text):
    """The real tile z/x/y under the point (decimal strings, exact) and the point's pixel offset in it."""
    centre_re, centre_im = Fraction(frame["center"][0]), Fraction(frame["center"][1])
    span = Fraction(frame["span"])
    u = ((Fraction(re_text) - centre_re) / span + Fraction(1, 2)) * 2 ** z
    v = ((centre_im - Fraction(im_text)) / span + Fraction(1, 2)) * 2 ** z
    x, y = math.floor(u), math.floor(v)
    return x, y, float((u - x) * TILE), float((v - y) * TILE)


def settle(page, z):
    """Waits until the hash shows zoom z, no animation runs, every tile of the view is in (and faded in) and the
    anchor is still."""
    page.wait(lambda d: page.hash_view()["z"] == z and d.execute_script("""
        const v = Fractile.viewer;
        return !document.querySelector('#map.leaflet-zoom-anim') && document.getElementById('loading').hidden
            && !v.moving && !v.anchorPending && !!v.layer && !v.layer.isLoading()
            && Array.from(document.querySelectorAll('#map img.leaflet-tile-loaded'))
                 .every(i => getComputedStyle(i).opacity === '1');"""),
        "the view did not settle at z=%d" % z)


def leaflet_numbers(page):
    """Leaflet's own zoom, centre and pixel origin, and the anchor (level and origin tile, as strings)."""
    return page.js("""
        const v = Fractile.viewer, m = v.map, c = m.getCenter(), o = m.getPixelOrigin();
        return {zoom: m.getZoom(), lat: c.lat, lng: c.lng, origin: [o.x, o.y],
                b: v.anchor.b, x0: String(v.anchor.x0), y0: String(v.anchor.y0), anchors: v.anchors};""")


def check_view(page, chosen, z=None):
    """The tiles on screen are the real tiles around the hash's exact centre, each where docs/maps.md puts it:
    the tile under the centre holds the centre's pixel at the middle of the map, its neighbours follow on the grid.
    Returns the view, the centre tile's URL and {(x, y): (left, top, natural width)} of the tiles in sight."""
    view = page.hash_view()
    z = view["z"] if z is None else z
    assert view["z"] == z and view["map"] == chosen["name"], view
    x, y, fx, fy = tile_of(chosen["fractile"], z, view["re"], view["im"])
    width, height = page.js("const m = document.getElementById('map'); return [m.clientWidth, m.clientHeight]")
    found = {}
    for src, left, top, natural in page.js("""
            return Array.from(document.querySelectorAll('#map img.leaflet-tile-loaded'), i => {
              const r = i.getBoundingClientRect(); return [i.src, r.left, r.top, i.naturalWidth]; });"""):
        match = TILE_URL.search(src)
        assert match and match.group(1) == chosen["name"], src
        if int(match.group(2)) == z:
            found[(int(match.group(3)), int(match.group(4)))] = (left, top, natural, src)
    assert (x, y) in found, "the tile %d/%d/%d under the centre is not on screen: %s" % (z, x, y, sorted(found))
    left, top, natural, src = found[(x, y)]
    # Leaflet rounds its pixel origin, so the centre's pixel is where it belongs within one pixel.
    assert abs(left + fx - width / 2) <= 1 and abs(top + fy - height / 2) <= 1, (z, x, y, left, top, fx, fy)
    for (tx, ty), (tl, tt, tn, tsrc) in found.items():
        assert (tl, tt) == (left + (tx - x) * TILE, top + (ty - y) * TILE), (tsrc, tl, tt, src, left, top)
        assert tn in (TILE, 2 * TILE), (tsrc, tn)
    visible = {key: value[:3] for key, value in found.items()
               if value[0] < width and value[0] + TILE > 0 and value[1] < height and value[1] + TILE > 0}
    # Leaflet's numbers stay small at any depth.
    numbers = leaflet_numbers(page)
    assert 0 <= numbers["zoom"] <= 16 and numbers["b"] + numbers["zoom"] == z, numbers
    assert abs(numbers["lat"]) < 4096 and abs(numbers["lng"]) < 4096, numbers
    assert max(abs(n) for n in numbers["origin"]) < 2 ** 40, numbers
    return view, src, visible


def test_reanchoring_keeps_the_centre_and_the_tiles_exact(server, browser):
    chosen = server.json("/maps.json")["maps"][0]
    # An ordered region where pixels settle in a few dozen steps: 25 zoom levels of tiles render quickly.
    re_text, im_text = "0.21137", "0.42821"
    deepest = min(26, chosen["maxzoom"])
    page = browser(900, 640)
    page.open(server, "#map=%s&z=2&re=%s&im=%s" % (chosen["name"], re_text, im_text))
    settle(page, 2)
    check_view(page, chosen, 2)
    levels = {}
    the_map = page.driver.find_element(By.ID, "map")
    # Zoom in one level at a time: the anchor moves several times, the hash keeps the exact same centre text and
    # the tiles are always the real ones under it.
    for z in range(3, deepest + 1):
        the_map.send_keys(Keys.ADD)
        settle(page, z)
        view, _, _ = check_view(page, chosen, z)
        assert (view["re"], view["im"]) == (re_text, im_text), view
        levels[z] = leaflet_numbers(page)["b"]
    assert len(set(levels.values())) >= 4, "the anchor did not move as the view went deeper: %s" % levels
    assert leaflet_numbers(page)["b"] > 0
    # Pan far: two anchor tiles to the right. The centre moves by exactly that many pixels, the anchor follows.
    before = leaflet_numbers(page)
    shift = 2 * TILE * 2 ** before["zoom"]
    page.js("Fractile.viewer.map.panBy([arguments[0], 0], {animate: false})", shift)
    settle(page, deepest)
    after = leaflet_numbers(page)
    assert after["anchors"] > before["anchors"] and after["lng"] < before["lng"] + 1, (before, after)
    view, _, _ = check_view(page, chosen, deepest)
    pixel = Fraction(chosen["fractile"]["span"]) / (TILE * 2 ** deepest)
    assert abs(Fraction(view["re"]) - Fraction(re_text) - shift * pixel) <= pixel, view
    assert abs(Fraction(view["im"]) - Fraction(im_text)) <= pixel, view
    # Zoom back out three levels a key (Shift), through the anchor changes in reverse.
    out = set()
    for z in range(deepest - 3, 1, -3):
        the_map.send_keys(Keys.SHIFT, Keys.SUBTRACT)
        settle(page, z)
        check_view(page, chosen, z)
        out.add(leaflet_numbers(page)["b"])
    assert len(out) >= 3 and leaflet_numbers(page)["b"] == 0, out
    # Moving the anchor hands the tiles on screen over to the new grid: no tile was fetched twice.
    served = [line.split('"')[1] for line in server.log_lines
              if '"GET /tiles/' in line and line.split('"')[2].split()[0] == "200"]
    assert served and len(served) == len(set(served)), sorted(t for t in set(served) if served.count(t) > 1)
    assert_clean_console(page)


REFERENCE = pathlib.Path(__file__).resolve().parents[1] / "reference"
# Fallback centres: ordered points that settle in a few dozen steps (quick tiles), with 31 significant digits.
FALLBACK_DEEP_POINT = ("0.2113700000000000000000001234567", "0.4282100000000000000000007654321")


def deep_point(name):
    """A centre for a deep link: a regime-boundary point from Tests/reference/deep_points.json when there is one."""
    path = REFERENCE / "deep_points.json"
    if path.exists():
        data = json.loads(path.read_text())
        entries = data.get("points", data.get(name, data)) if isinstance(data, dict) else data
        if isinstance(entries, dict) and isinstance(entries.get("tiles"), list):  # {map: {"tiles": [...]}}, z=80 first
            entries = sorted(entries["tiles"], key=lambda tile: tile.get("z") != 80)
        for entry in entries if isinstance(entries, list) else [entries]:
            if (isinstance(entry, dict) and entry.get("map", name) == name
                    and isinstance(entry.get("re"), str) and isinstance(entry.get("im"), str)):
                return entry["re"], entry["im"]
    return FALLBACK_DEEP_POINT


def map_for_depth(server, z, name="forward-pass"):
    """The map, when the server says it goes z deep; skips (saying why) when it does not yet."""
    chosen = next(m for m in server.json("/maps.json")["maps"] if m["name"] == name)
    tilejson = server.json("/tiles/%s.json" % name)
    # TileJSON caps maxzoom at 30; the true depth, where the server gives it, is fractile.maxZoom.
    maxzoom = tilejson.get("fractile", {}).get("maxZoom", tilejson["maxzoom"])
    if maxzoom < z:
        pytest.skip("the server's /tiles/%s.json says maxZoom %d < %d: deep zoom is not in this build" % (name, maxzoom, z))
    return chosen


def significant_digits(text):
    return len(text.lstrip("-").replace(".", "").lstrip("0"))


def screen_matches_tile(page, server, src):
    """Compares the screenshot with the server's PNG of the tile at `src`, pixel for pixel, where no panel covers it.
    Returns (pixels compared, pixels equal)."""
    left, top, covers = page.js("""
        const tile = Array.from(document.querySelectorAll('#map img.leaflet-tile-loaded')).find(i => i.src === arguments[0]);
        const r = tile.getBoundingClientRect();
        const covers = Array.from(document.querySelectorAll(
            '#sidebar, #readout, #probe, #banner, .leaflet-control-container .leaflet-control'), e => {
          const b = e.getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; });
        return [r.left, r.top, covers.filter(b => b[2] > b[0] && b[3] > b[1])];""", src)
    width, height, screen, _ = pngread.decode(page.driver.get_screenshot_as_png())
    _, _, tile_rows, _ = pngread.decode(server.get(urllib.parse.urlparse(src).path)[2])
    compared = equal = 0
    for j, row in enumerate(tile_rows):
        for i, pixel in enumerate(row):
            sx, sy = int(left) + i, int(top) + j
            if not (0 <= sx < width and 0 <= sy < height):
                continue
            if any(b[0] - 1 <= sx <= b[2] + 1 and b[1] - 1 <= sy <= b[3] + 1 for b in covers):
                continue
            compared += 1
            equal += all(abs(a - b) <= 2 for a, b in zip(screen[sy][sx], pixel))
    return compared, equal


@pytest.mark.parametrize("z", [26, DEEP_Z], ids=["z26", "z80"])
def test_deep_link_shows_real_tiles_and_probes_exactly(server, browser, artifacts, z):
    chosen = map_for_depth(server, z)
    re_text, im_text = deep_point(chosen["name"]) if z == DEEP_Z else ("0.211370000000012345", "0.428210000000054321")
    page = browser()
    page.open(server, "#map=%s&z=%d&re=%s&im=%s" % (chosen["name"], z, re_text, im_text))
    settle(page, z)
    # The hash keeps the shared centre, digit for digit; the tiles are the real z/x/y around it, 256 pixels each.
    view, centre_src, tiles = check_view(page, chosen, z)
    assert (view["re"], view["im"]) == (re_text, im_text), view
    assert all(natural == TILE for _, _, natural in tiles.values()), tiles
    assert page.js("return Array.from(document.querySelectorAll('#map img.leaflet-tile-loaded')).every(i => i.complete)")
    # What the screen shows is the server's tile, pixel for pixel.
    compared, equal = screen_matches_tile(page, server, centre_src)
    assert compared > 10000 and equal >= 0.98 * compared, (centre_src, compared, equal)
    page.driver.save_screenshot(str(artifacts / ("viewer-deep-z%d.png" % z)))
    # A probe at depth sends the clicked point as a long exact decimal, within a pixel or two of the centre.
    probe_and_check(page, server, artifacts, "viewer-deep-z%d-probe.png" % z)
    probed = page.js("const p = document.getElementById('probe').dataset; return [p.re, p.im]")
    pixel = Fraction(chosen["fractile"]["span"]) / (TILE * 2 ** z)
    assert abs(Fraction(probed[0]) - Fraction(re_text)) <= 2 * pixel, (probed, re_text)
    assert abs(Fraction(probed[1]) - Fraction(im_text)) <= 2 * pixel, (probed, im_text)
    assert min(significant_digits(t) for t in probed) >= 0.3 * z, probed
    assert page.js("return document.getElementById('probe-title').textContent").startswith("c = " + probed[0])
    assert_clean_console(page)


@pytest.mark.parametrize("z", [26, DEEP_Z], ids=["z26", "z80"])
def test_copy_link_at_depth_restores_exactly(server, browser, z):
    chosen = map_for_depth(server, z)
    re_text, im_text = deep_point(chosen["name"]) if z == DEEP_Z else ("0.21137", "0.42821")
    page = browser()
    page.open(server, "#map=%s&z=%d&re=%s&im=%s" % (chosen["name"], z, re_text, im_text))
    settle(page, z)
    # Pan with the keyboard, so the hash holds a centre the viewer computed itself.
    the_map = page.driver.find_element(By.ID, "map")
    the_map.send_keys(Keys.ARROW_RIGHT)
    the_map.send_keys(Keys.ARROW_UP)
    page.wait(lambda d: page.hash_view()["re"] != re_text and page.hash_view()["im"] != im_text,
              "the keyboard did not pan the view")
    settle(page, z)
    view, centre_src, tiles = check_view(page, chosen, z)
    assert significant_digits(view["re"]) >= 0.3 * z, view
    copied = copy_link(page, server)
    assert copied == page.js("return location.href"), copied
    # A fresh browser opening the copied link sees the same centre text and the same tiles at the same places.
    other = browser()
    other.open(server, copied[len(server.url) + 1:])
    settle(other, z)
    again, again_src, again_tiles = check_view(other, chosen, z)
    assert again == view
    assert again_src == centre_src and again_tiles == tiles
    assert_clean_console(page)
    assert_clean_console(other)


def test_past_the_edge_of_the_map_at_depth(server, browser):
    chosen = server.json("/maps.json")["maps"][0]
    frame = chosen["fractile"]
    z = min(14, chosen["maxzoom"])
    edge = Fraction(frame["center"][0]) + Fraction(frame["span"]) / 2
    page = browser()
    page.open(server, "#map=%s&z=%d&re=%s&im=0.0123" % (chosen["name"], z, float(edge - Fraction(1, 100))))
    settle(page, z)
    check_view(page, chosen, z)
    # Past the right edge (the bounds allow a margin there), off the anchor's block: the anchor, clamped to the
    # grid, stays where it is. The edge is 0.01 / pixel (about 7000 pixels) to the right.
    shift = int(Fraction(1, 100) / (Fraction(frame["span"]) / (TILE * 2 ** z))) + 400
    page.js("Fractile.viewer.map.panBy([arguments[0], 0], {animate: false})", shift)
    settle(page, z)
    view = page.hash_view()
    assert Fraction(view["re"]) > edge, view
    assert leaflet_numbers(page)["lng"] > 2, "the centre is not off the anchor's block"
    anchors = leaflet_numbers(page)["anchors"]
    page.driver.execute_async_script("setTimeout(arguments[0], 300)")
    assert leaflet_numbers(page)["anchors"] == anchors, "the anchor keeps moving past the edge"
    # Only tiles of the grid were asked for: nothing past the edge, no failures, no banner.
    tiles = [TILE_URL.search(src) for src in page.loaded_tiles()]
    assert tiles and all(0 <= int(t.group(3)) < 2 ** int(t.group(2)) for t in tiles), tiles
    assert not [line for line in server.log_lines if '"GET /tiles/' in line and '" 404 ' in line]
    assert not page.driver.find_element(By.ID, "banner").is_displayed()
    # Back inside, the view is exact again.
    page.js("Fractile.viewer.map.panBy([arguments[0], 0], {animate: false})", -shift)
    settle(page, z)
    check_view(page, chosen, z)
    assert_clean_console(page)


def test_zooming_through_the_limit_of_doubles(server, browser):
    """Leaflet's doubles would break near zoom 45: zoom from 38 to 59 and back with the keyboard, three levels a key."""
    chosen = map_for_depth(server, 59)
    re_text, im_text = "0.2113700000000000012345", "0.4282100000000000054321"
    page = browser(900, 640)
    page.open(server, "#map=%s&z=38&re=%s&im=%s" % (chosen["name"], re_text, im_text))
    settle(page, 38)
    the_map = page.driver.find_element(By.ID, "map")
    levels = {}
    for z in list(range(41, 60, 3)) + list(range(56, 37, -3)):
        the_map.send_keys(Keys.SHIFT, Keys.ADD if z > page.hash_view()["z"] else Keys.SUBTRACT)
        settle(page, z)
        view, _, _ = check_view(page, chosen, z)
        assert (view["re"], view["im"]) == (re_text, im_text), view
        levels[z] = leaflet_numbers(page)["b"]
    assert len(set(levels.values())) >= 4, levels
    assert_clean_console(page)


# ---------- live parameters, compare view, trainability, videos ----------
#
# These need server features that land from other branches (issues 13, 15, 17). Each test starts with one of the
# guards below, which skip ONLY when the server lacks the feature: no `settings` array in /maps.json, no
# `trainability` map, no /dimension or /videos route. Once the server has it, the test runs.

def require_settings(server, name="gradient-basin"):
    """The map's settings table from /maps.json; skips while the server publishes none."""
    maps = server.json("/maps.json")["maps"]
    tables = {m["name"]: m.get("settings", m.get("fractile", {}).get("settings")) for m in maps}
    if not any(isinstance(table, list) for table in tables.values()):
        pytest.skip("/maps.json has no `settings` array yet: live parameters are not in this build")
    chosen = next(m for m in maps if m["name"] == name)
    return chosen, {s["key"]: s for s in tables[name]}


def require_trainability(server):
    maps = server.json("/maps.json")["maps"]
    chosen = next((m for m in maps if m["name"] == "trainability"), None)
    if chosen is None:
        pytest.skip("/maps.json has no `trainability` map yet")
    return chosen


def route_exists(server, method, path):
    request = urllib.request.Request(server.url + path, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60):
            return True
    except urllib.error.HTTPError as error:
        return error.code not in (404, 405)


def require_route(server, method, path, what):
    if not route_exists(server, method, path):
        pytest.skip("the server has no %s route yet (%s %s gives 404/405)" % (what, method, path))


def hash_params(page):
    """The hash's parameters other than the view: {key: value}."""
    params = dict(urllib.parse.parse_qsl(page.js("return location.hash").lstrip("#"), keep_blank_values=True))
    return {k: v for k, v in params.items() if k not in ("map", "z", "re", "im")}


def open_parameters(page):
    page.js("document.getElementById('params').open = true")
    page.wait(lambda d: d.find_element(By.ID, "params").is_displayed()
              and d.find_elements(By.CSS_SELECTOR, "#params-body .param"), "the parameters panel did not open")


def watch_tiles_on_screen(page):
    """Records, every animation frame, how many loaded tiles are on screen (read back by tiles_on_screen_min)."""
    page.js("""window.tilesSeen = []; (function count() {
        window.tilesSeen.push(document.querySelectorAll('#map img.leaflet-tile-loaded').length);
        if (window.tilesSeen.length < 100000) requestAnimationFrame(count); })();""")


def visible_tiles(page):
    """{tile URL: screen position} of the loaded tiles in the window (Leaflet keeps a buffer of others around it)."""
    return {src: (left, top) for src, left, top in page.js("""
        return Array.from(document.querySelectorAll('#map img.leaflet-tile-loaded'), i => {
          const r = i.getBoundingClientRect(); return [i.src, r.left, r.top, r.right, r.bottom]; })
          .filter(t => t[3] > 0 && t[4] > 0 && t[1] < innerWidth && t[2] < innerHeight).map(t => t.slice(0, 3));""")}


def map_pixels(page):
    """The screen's pixels with every panel and control hidden: only the map's tiles."""
    page.js("""for (const e of document.querySelectorAll('#sidebar, #readout, #probe, #banner, #divider,'
                                                       + ' .leaflet-control-container')) e.style.visibility = 'hidden';""")
    _, _, rows, _ = pngread.decode(page.driver.get_screenshot_as_png())
    page.js("""for (const e of document.querySelectorAll('#sidebar, #readout, #probe, #banner, #divider,'
                                                       + ' .leaflet-control-container')) e.style.visibility = '';""")
    return rows


def test_learning_rate_slider_changes_tiles_hash_and_probe(server, browser, artifacts):
    chosen, table = require_settings(server)
    assert table["learningRate"]["type"] == "complex" and table["learningRate"]["live"]
    page = browser()
    page.open(server, "#map=%s&z=2&re=0&im=0" % chosen["name"])
    settle(page, 2)
    default_tiles = page.loaded_tiles()
    assert not any("?" in src for src in default_tiles), default_tiles
    open_parameters(page)
    slider = page.driver.find_element(By.CSS_SELECTOR, "input[type=range][data-key='learningRate'][data-part='re']")
    step = float(slider.get_attribute("step"))
    before = float(slider.get_attribute("value"))
    watch_tiles_on_screen(page)
    # The keyboard moves a native slider by its step, firing the same input events as a drag.
    presses = max(1, round(0.2 / step))
    for _ in range(presses):
        slider.send_keys(Keys.ARROW_LEFT)
    page.wait(lambda d: "learningRate" in hash_params(page), "moving the slider did not change the hash")
    expected = repr(round(before - presses * step, 10)).rstrip("0").rstrip(".")
    page.wait(lambda d: hash_params(page)["learningRate"] == expected,
              "the hash does not say learningRate=%s: %s" % (expected, hash_params(page)))
    text = page.driver.find_element(By.CSS_SELECTOR, "input.exact[data-key='learningRate']").get_attribute("value")
    assert text == expected, text
    query = "learningRate=" + expected
    tiles = page.wait_for_tiles(r"/tiles/%s/2/\d+/\d+\.png\?%s$" % (re.escape(chosen["name"]), re.escape(query)),
                                "no tiles with the new learning rate")
    settle(page, 2)
    # The old tiles are gone once the new ones are in, and something was on screen at every frame in between.
    assert all(query in src for src in page.loaded_tiles()), page.loaded_tiles()
    assert min(page.js("return window.tilesSeen")) > 0, "the map flashed empty while new tiles rendered"
    # The new tiles are the server's tiles for that learning rate, and they differ from the shipped ones.
    changed = [src for src in tiles if server.get(urllib.parse.urlparse(src).path + "?" + query)[2]
               != server.get(urllib.parse.urlparse(src).path)[2]]
    assert changed, "every tile looks the same at learningRate=%s" % expected
    page.driver.save_screenshot(str(artifacts / "viewer-parameters.png"))
    # The probe follows the parameters (probe_and_check compares with the server's probe for the same query).
    probe_and_check(page, server)
    assert page.js("return document.getElementById('probe').dataset.query") == query
    # The open probe follows a new value.
    entry = page.driver.find_element(By.CSS_SELECTOR, "input.exact[data-key='learningRate']")
    entry.clear()
    entry.send_keys("0.25", Keys.ENTER)
    page.wait(lambda d: d.execute_script("const p = document.getElementById('probe').dataset;"
                                         " return p.query === 'learningRate=0.25' && p.state === 'ready'"),
              "the open probe did not follow the new learning rate")
    # A value out of bounds is refused at once, in one line naming the key; nothing changes.
    bound = table["learningRate"].get("max")
    if isinstance(bound, (int, float)):
        hash_before = page.js("return location.hash")
        entry.clear()
        entry.send_keys(repr(bound * 10 + 1), Keys.ENTER)
        page.wait(lambda d: d.find_element(By.ID, "params-error").is_displayed(), "no error for an out-of-bounds value")
        assert page.driver.find_element(By.ID, "params-error").text.startswith("learningRate: ")
        assert page.js("return location.hash") == hash_before
    # Reset brings the shipped settings (and an empty parameter list in the hash) back.
    page.driver.find_element(By.ID, "params-reset").click()
    page.wait(lambda d: hash_params(page) == {}, "reset did not clear the hash's parameters")
    page.wait_for_tiles(r"/tiles/%s/2/\d+/\d+\.png$" % re.escape(chosen["name"]), "no shipped tiles after reset")
    assert_clean_console(page)


def test_copied_link_restores_parameters_pixel_for_pixel(server, browser):
    chosen, table = require_settings(server)
    page = browser()
    page.open(server, "#map=%s&z=3&re=0.31&im=-0.47" % chosen["name"])
    settle(page, 3)
    open_parameters(page)
    entry = page.driver.find_element(By.CSS_SELECTOR, "input.exact[data-key='learningRate']")
    entry.clear()
    entry.send_keys("0.35,0.05", Keys.ENTER)
    page.wait(lambda d: hash_params(page).get("learningRate") == "0.35,0.05", "typing a learning rate did not reach the hash")
    if table.get("gradient", {}).get("live"):
        menu = page.driver.find_element(By.CSS_SELECTOR, "select[data-key='gradient']")
        other = next(c for c in table["gradient"]["choices"] if c != table["gradient"]["value"])
        page.js("arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('change'))", menu, other)
        page.wait(lambda d: hash_params(page).get("gradient") == other, "the gradient menu did not reach the hash")
    page.driver.find_element(By.ID, "map").send_keys(Keys.ARROW_RIGHT)
    page.wait(lambda d: page.hash_view()["re"] != "0.31", "the keyboard did not pan")
    settle(page, 3)
    page.wait(lambda d: all("learningRate=0.35,0.05" in src for src in page.loaded_tiles()), "old tiles stayed")
    copied = copy_link(page, server)
    assert copied == page.js("return location.href") and "learningRate=0.35,0.05" in copied, copied
    other = browser()
    other.open(server, copied[len(server.url) + 1:])
    settle(other, 3)
    assert other.js("return location.href") == copied
    assert visible_tiles(other) == visible_tiles(page)
    assert map_pixels(other) == map_pixels(page), "the copied link shows a different picture"
    assert_clean_console(page)
    assert_clean_console(other)


def test_link_with_refused_parameters_says_which(server, browser):
    chosen, table = require_settings(server)
    fixed = next((key for key, setting in table.items() if not setting["live"]), None)
    page = browser()
    page.open(server, "#map=%s&z=2&re=0&im=0&learningRate=0.25&nonsense=1%s" % (
        chosen["name"], "&%s=1" % fixed if fixed else ""))
    page.wait(lambda d: d.find_element(By.ID, "banner").is_displayed(), "no banner for refused parameters")
    text = page.driver.find_element(By.ID, "banner-text").text
    assert "nonsense: this map has no such setting" in text, text
    if fixed:
        assert "%s: this map does not let a link change it" % fixed in text, text
    # The rest of the link holds; the hash keeps only what the map accepted.
    settle(page, 2)
    assert hash_params(page) == {"learningRate": "0.25"}, hash_params(page)
    assert all("learningRate=0.25" in src for src in page.loaded_tiles())
    assert_clean_console(page)


def test_dataset_editor_types_adds_removes_and_drags(server, browser, artifacts):
    chosen, table = require_settings(server)
    if not (table.get("data.x", {}).get("live") and table.get("data.y", {}).get("live")):
        pytest.skip("this map's data.x/data.y are not live")
    page = browser()
    page.open(server, "#map=%s&z=2&re=0&im=0" % chosen["name"])
    settle(page, 2)
    open_parameters(page)
    shipped = len(table["data.x"]["value"])
    rows = lambda: page.driver.find_elements(By.CSS_SELECTOR, ".dataset-row[data-index]")
    assert len(rows()) == shipped
    # Type a new target for the last point.
    target = page.driver.find_element(By.CSS_SELECTOR, "input.exact[data-key='data.y'][data-index='%d']" % (shipped - 1))
    target.clear()
    target.send_keys("0.5", Keys.ENTER)
    page.wait(lambda d: hash_params(page).get("data.y", "").endswith(";0.5"), "typing a target did not reach the hash")
    page.wait_for_tiles(r"data\.y=", "no tiles for the edited dataset")
    # Add a point: both lists grow together (sameLengthAs).
    page.driver.find_element(By.CSS_SELECTOR, "[data-action='add-point']").click()
    page.wait(lambda d: len(hash_params(page).get("data.x", "").split(";")) == shipped + 1
              and len(hash_params(page).get("data.y", "").split(";")) == shipped + 1, "adding a point did not reach the hash")
    # Remove the first point.
    page.driver.find_elements(By.CSS_SELECTOR, "[data-action='remove-point']")[0].click()
    page.wait(lambda d: len(rows()) == shipped and len(hash_params(page).get("data.y", "").split(";")) == shipped,
              "removing a point did not reach the hash")
    # Drag a point on the plot.
    before = hash_params(page)["data.y"]
    canvas = page.driver.find_element(By.CSS_SELECTOR, ".dataset-plot")
    x_text = page.driver.find_element(By.CSS_SELECTOR, "input.exact[data-key='data.x'][data-index='0']").get_attribute("value")
    y_text = page.driver.find_element(By.CSS_SELECTOR, "input.exact[data-key='data.y'][data-index='0']").get_attribute("value")
    # The plot says where it drew each point; offsets are from the canvas's centre.
    px, py = page.js("""const c = document.querySelector('.dataset-plot'), r = c.getBoundingClientRect();
        return JSON.parse(c.dataset.points)[0].map((v, i) => v - (i ? r.height : r.width) / 2);""")
    ActionChains(page.driver).move_to_element_with_offset(canvas, px, py).click_and_hold() \
        .move_by_offset(0, -30).release().perform()
    page.wait(lambda d: hash_params(page)["data.y"] != before, "dragging a point did not change the data")
    assert page.driver.find_element(By.CSS_SELECTOR, "input.exact[data-key='data.x'][data-index='0']").get_attribute("value") == x_text
    assert page.driver.find_element(By.CSS_SELECTOR, "input.exact[data-key='data.y'][data-index='0']").get_attribute("value") != y_text
    page.wait_for_tiles(r"data\.y=", "no tiles after the drag")
    page.driver.save_screenshot(str(artifacts / "viewer-dataset.png"))
    assert_clean_console(page)


def test_compare_view_pans_both_sides_together(server, browser, artifacts):
    chosen, table = require_settings(server)
    page = browser()
    page.open(server, "#map=%s&z=3&re=0.2&im=0.3" % chosen["name"])
    settle(page, 3)
    open_parameters(page)
    page.driver.find_element(By.ID, "compare-toggle").click()
    page.wait(lambda d: hash_params(page).get("compare") == "1" and d.find_element(By.ID, "divider").is_displayed(),
              "the compare view did not open")
    # Edit the right-hand side: a different learning rate there only.
    page.driver.find_element(By.CSS_SELECTOR, ".param-sides button[data-side='1']").click()
    entry = page.driver.find_element(By.CSS_SELECTOR, "input.exact[data-key='learningRate']")
    entry.clear()
    entry.send_keys("0.3", Keys.ENTER)
    page.wait(lambda d: hash_params(page).get("vs.learningRate") == "0.3" and "learningRate" not in hash_params(page),
              "the right-hand variant is not in the hash: %s" % hash_params(page))
    settle(page, 3)

    def sides():
        """{(variant query, tile z/x/y): screen position} of the loaded tiles of both panes."""
        found = {}
        for src, pane, left, top in page.js("""return Array.from(document.querySelectorAll('#map img.leaflet-tile-loaded'),
                i => { const r = i.getBoundingClientRect();
                       return [i.src, i.closest('.leaflet-pane').className, r.left, r.top]; });"""):
            match = TILE_URL.search(src.split("?")[0])
            query = src.split("?")[1] if "?" in src else ""
            found[(query, "right" in pane, match.group(2, 3, 4))] = (left, top)
        return found

    def check_together():
        found = sides()
        left = {k[2]: v for k, v in found.items() if k[:2] == ("", False)}
        right = {k[2]: v for k, v in found.items() if k[:2] == ("learningRate=0.3", True)}
        assert left and right, found
        common = set(left) & set(right)
        assert common and all(left[t] == right[t] for t in common), (left, right)
        return left

    first = check_together()
    # Both sides pan together: keyboard pan, then each side's tiles sit at the same new places.
    page.driver.find_element(By.ID, "map").send_keys(Keys.ARROW_DOWN)
    page.wait(lambda d: page.hash_view()["im"] != "0.3", "the keyboard did not pan")
    settle(page, 3)
    second = check_together()
    moved = set(first) & set(second)
    assert moved and all(first[t] != second[t] for t in moved), (first, second)
    # The divider clips the right pane; dragging it moves the clip.
    clip = page.js("return document.querySelector('.leaflet-variant-right-pane').style.clip")
    ActionChains(page.driver).drag_and_drop_by_offset(page.driver.find_element(By.CSS_SELECTOR, "#divider .grip"), -200, 0).perform()
    page.wait(lambda d: page.js("return document.querySelector('.leaflet-variant-right-pane').style.clip") != clip,
              "dragging the divider did not move the clip")
    page.driver.save_screenshot(str(artifacts / "viewer-compare.png"))
    # The link holds both variants: a fresh browser opens the compare view as it was.
    other = browser()
    other.open(server, page.js("return location.hash"))
    settle(other, 3)
    assert other.js("return location.hash") == page.js("return location.hash")
    assert other.js("return Fractile.viewer.compare") is True
    assert any("learningRate=0.3" in src for src in other.loaded_tiles())
    # Closing the compare view leaves the left-hand variant alone on the map, and the hash says so.
    page.driver.find_element(By.ID, "compare-toggle").click()
    page.wait(lambda d: "compare" not in hash_params(page) and not d.find_element(By.ID, "divider").is_displayed()
              and not any("learningRate=0.3" in src for src in page.loaded_tiles()), "the compare view did not close")
    assert_clean_console(page)
    assert_clean_console(other)


def test_trainability_probe_shows_the_loss_curve_and_the_dimension(server, browser, artifacts):
    chosen = require_trainability(server)
    page = browser()
    page.open(server, "#map=trainability")
    view = page.hash_view()
    page.wait_for_tiles(r"/tiles/trainability/%d/" % view["z"], "no trainability tiles")
    # The axes are log10 learning rates; the readout gives the rates themselves too.
    assert "η₁ = " in page.driver.find_element(By.ID, "readout").text
    expected = probe_and_check(page, server, artifacts, "viewer-trainability-probe.png")
    assert expected["kind"] == "trainability"
    assert page.canvas_colours("#loss-plot") > 3, "the loss curve is empty"
    assert "log scale" in page.driver.find_element(By.CSS_SELECTOR, "#probe-body").text
    sentence = page.driver.find_element(By.ID, "probe-sentence").text
    assert "η₁" in sentence and "η₂" in sentence, sentence
    require_route(server, "GET", "/dimension/trainability?z=0&x=0&y=0&tiles=1", "/dimension")
    page.js("document.getElementById('tools').open = true")
    page.driver.find_element(By.ID, "dimension-button").click()
    page.wait(lambda d: d.find_element(By.ID, "dimension-result").get_attribute("data-state") in ("ready", "error"),
              "the dimension readout did not answer", timeout=300)
    result = page.driver.find_element(By.ID, "dimension-result")
    assert result.get_attribute("data-state") == "ready", result.text
    assert 0 <= float(result.get_attribute("data-dimension")) <= 2.5 and "r²" in result.text, result.text
    assert_clean_console(page)


def test_video_of_this_zoom(server, browser):
    require_route(server, "POST", "/videos", "/videos")
    page = browser()
    page.open(server, "#map=forward-pass&z=3&re=0.21137&im=0.42821")
    settle(page, 3)
    page.js("document.getElementById('tools').open = true")
    for field, value in (("video-seconds", "1"), ("video-fps", "4")):
        element = page.driver.find_element(By.ID, field)
        element.clear()
        element.send_keys(value)
    page.js("document.getElementById('video-size').value = '640x360'")
    page.driver.find_element(By.ID, "video-start").click()
    page.wait(lambda d: d.find_element(By.ID, "video-status").get_attribute("data-state") in ("done", "failed", "error"),
              "the video did not finish", timeout=600)
    assert page.driver.find_element(By.ID, "video-status").get_attribute("data-state") == "done", \
        page.driver.find_element(By.ID, "video-status").text
    link = page.driver.find_element(By.ID, "video-link")
    assert link.is_displayed()
    status, headers, body = server.get(urllib.parse.urlparse(link.get_attribute("href")).path)
    assert status == 200 and headers.get("Content-Type", "").startswith("video/mp4") and body[4:8] == b"ftyp"
    # A long one can be cancelled while it renders.
    page.driver.find_element(By.ID, "video-seconds").clear()
    page.driver.find_element(By.ID, "video-seconds").send_keys("60")
    page.driver.find_element(By.ID, "video-start").click()
    page.wait(lambda d: d.find_element(By.ID, "video-cancel").is_displayed(), "no cancel button while the video renders")
    page.driver.find_element(By.ID, "video-cancel").click()
    page.wait(lambda d: d.find_element(By.ID, "video-status").get_attribute("data-state") == "cancelled",
              "cancelling did not stop the video: %s" % page.driver.find_element(By.ID, "video-status").text)
    assert not page.driver.find_element(By.ID, "video-link").is_displayed()
    assert_clean_console(page)


class PrefixProxy:
    """A reverse proxy on 127.0.0.1 port 0 that serves the fractile server under PREFIX, as a site would."""
    PREFIX = "/lab/fractile/"

    def __init__(self, upstream, rewrite=None):
        import http.server
        import threading
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                if not self.path.startswith(proxy.PREFIX):
                    proxy.outside.append(self.path)
                    self.send_error(404)
                    return
                path = "/" + self.path[len(proxy.PREFIX):]
                status, headers, body = upstream.get(path)
                body = rewrite(path, body) if rewrite else body
                self.send_response(status)
                for name in ("Content-Type", "Retry-After", "ETag", "Cache-Control"):
                    if headers.get(name):
                        self.send_header(name, headers[name])
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.outside = []
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.httpd.server_address[1] + self.PREFIX.rstrip("/")
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def test_viewer_works_under_a_path_prefix(server, browser):
    """Every module, tile and probe is fetched relative to the page: behind a prefix nothing asks for the root."""
    proxy = PrefixProxy(server)
    try:
        page = browser()
        page.open(proxy)
        view = page.hash_view()
        tiles = page.wait_for_tiles(r"%s/tiles/%s/%d/" % (re.escape(PrefixProxy.PREFIX.rstrip("/")),
                                                        re.escape(view["map"]), view["z"]), "no tiles behind the prefix")
        assert all(src.startswith(proxy.url + "/tiles/") for src in tiles), tiles
        assert page.js("return typeof L.version === 'string' && Fractile.viewer.maps.length > 0")
        probe_and_check(page, server)
        assert proxy.outside == [], "requests outside the prefix: %s" % proxy.outside
        assert_clean_console(page)
    finally:
        proxy.close()


def test_unsupported_leaflet_gets_a_clear_banner(server, browser):
    """A Leaflet other than 1.6-1.9 (here one that calls itself 2.0.0) stops the viewer with a banner saying why."""
    def leaflet_2(path, body):
        return body.replace(b'var version = "', b'var version = "2.0.0"; var unused = "') if path.endswith("leaflet.js") else body
    proxy = PrefixProxy(server, leaflet_2)
    try:
        page = browser()
        page.driver.get(proxy.url + "/")
        page.wait(lambda d: d.find_element(By.ID, "banner").is_displayed(), "no banner for Leaflet 2.0.0")
        text = page.driver.find_element(By.ID, "banner-text").text
        assert "needs Leaflet 1.6 to 1.9" in text and "2.0.0" in text, text
        assert page.js("return document.querySelectorAll('#map img').length") == 0
        assert_clean_console(page)
    finally:
        proxy.close()
