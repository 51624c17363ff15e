"""The web edition in a real browser: Debian's chromium, driven by Playwright's Python API, on the
site opened from disk. At a phone's 360×740 and a desktop's 1280×800: no horizontal scroll, the
notes reachable and back, the name search across spellings, links that land on the tagged name.
Screenshots are saved in the test's tmp folder (look at them when changing the stylesheet)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from book.pipeline import build
from conftest import BOOKS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SIZES = [(360, 740), (1280, 800)]


@pytest.fixture(scope="module")
def browser():
    sync = pytest.importorskip("playwright.sync_api", reason="playwright (pip) drives the browser")
    if not Path(CHROMIUM).is_file():
        pytest.skip("chromium is not installed (apt-get install -y chromium; .ci/run does it)")
    with sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    return build(BOOKS / "web-edition", tmp_path_factory.mktemp("site"), edition="web").outputs[0]


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def page(request, browser):
    width, height = request.param
    context = browser.new_context(viewport={"width": width, "height": height})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    page.requests = requests
    yield page
    context.close()
    outside = [url for url in requests if not url.startswith("file://")]
    assert not outside, f"the site asked the network for {outside}"


def url(site: Path, name: str) -> str:
    return (site / name).as_uri() if "#" not in name else (site / name.split("#")[0]).as_uri() + "#" + name.split("#")[1]


def in_view(page, selector: str) -> bool:
    return page.evaluate("""s => { const r = document.querySelector(s).getBoundingClientRect();
        return r.bottom > 0 && r.top < innerHeight && r.right > 0 && r.left < innerWidth; }""", selector)


def test_no_page_scrolls_sideways(site, page, tmp_path):
    width = page.viewport_size["width"]
    for path in sorted(site.glob("*.html")):
        page.goto(path.as_uri())
        page.evaluate("document.fonts.ready")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"{path.name} is {scroll} px wide at {width} px"
        page.screenshot(path=str(tmp_path / f"{path.stem}-{width}.png"), full_page=True)
    assert page.evaluate("document.fonts.check('16px Literata')"), "the bundled font did not load"


def test_the_measure_is_about_65_characters(site, page):
    if page.viewport_size["width"] < 1000:
        pytest.skip("on a phone the screen sets the measure")
    page.goto(url(site, "01-arrival.html"))
    page.evaluate("document.fonts.ready")
    per_line = page.evaluate("""() => {
        const p = [...document.querySelectorAll('main p')].sort((a, b) => b.textContent.length - a.textContent.length)[0];
        const lines = Math.round(p.getBoundingClientRect().height / parseFloat(getComputedStyle(p).lineHeight));
        return p.textContent.length / lines; }""")
    assert 55 <= per_line <= 80, per_line


def test_the_chronology_table_fits_and_is_labelled(site, page, tmp_path):
    page.goto(url(site, "03-dates.html"))
    table = page.locator("table.data")
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= page.viewport_size["width"]
    page.screenshot(path=str(tmp_path / f"table-{page.viewport_size['width']}.png"))
    if page.viewport_size["width"] < 500:  # stacked: each cell starts with its column's name
        before = page.evaluate("getComputedStyle(document.querySelector('td[data-label]'), '::before').content")
        assert before == '"Date: "' or before.startswith('attr(') or "Date" in before


def test_a_note_is_reached_from_its_call_and_left_by_its_number(site, page, tmp_path):
    page.goto(url(site, "01-arrival.html"))
    call = page.locator("a.call").first
    call.click()
    page.wait_for_function("location.hash === '#ch-01-arrival-n1'", timeout=5000)
    assert in_view(page, "#ch-01-arrival-n1")
    page.screenshot(path=str(tmp_path / f"note-{page.viewport_size['width']}.png"))
    page.locator("#ch-01-arrival-n1 a.back").click()
    page.wait_for_function("location.hash === '#call-ch-01-arrival-n1'", timeout=5000)
    assert in_view(page, "#call-ch-01-arrival-n1")


def test_the_keyboard_reaches_the_skip_link_first(site, page):
    page.goto(url(site, "02-registry.html"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert in_view(page, "a.skip")
    page.keyboard.press("Enter")
    page.wait_for_function("location.hash === '#main'", timeout=5000)
    assert in_view(page, "#main")


def visible_people(page) -> list[str]:
    return page.eval_on_selector_all("li.person:not([hidden])", "els => els.map(e => e.id)")


@pytest.mark.parametrize("query, person", [
    ("Zhaksybekova", "jaksybekova-aigul"),  # zh / j
    ("Жаксыбекова", "jaksybekova-aigul"),  # Cyrillic, without the Kazakh letter
    ("aigul jaksy", "jaksybekova-aigul"),  # two words, the second a beginning
    ("Muller", "muller-erna"),  # without the umlaut
    ("Müller", "muller-erna"),
    ("Mueller", "muller-erna"),  # a variant
    ("Cvetkova", "tsvetkova-irina"),  # ts / c
    ("Цветкова", "tsvetkova-irina"),
])
def test_the_name_search_matches_across_spellings(site, page, query, person):
    page.goto(url(site, "names.html"))
    page.fill("#q", query)
    assert visible_people(page) == [person]
    assert page.locator("#q-count").inner_text() == "1 of 4 names"


def test_the_name_search_says_when_nothing_matches(site, page):
    page.goto(url(site, "names.html"))
    page.fill("#q", "Ivanova")
    assert visible_people(page) == []
    assert "No name matches" in page.locator("#q-count").inner_text()
    page.fill("#q", "")
    assert len(visible_people(page)) == 4


def test_a_link_from_the_index_lands_on_the_highlighted_name(site, page, tmp_path):
    page.goto(url(site, "names.html#jaksybekova-aigul"))
    assert in_view(page, "#jaksybekova-aigul")
    page.fill("#q", "Zhaksybekova")
    link = page.locator("#jaksybekova-aigul ul.places a").nth(1)
    target = link.get_attribute("href")
    link.click()
    page.wait_for_load_state()
    anchor = target.split("#")[1]
    assert page.url.endswith(target)
    assert in_view(page, f"#{anchor}")
    assert page.evaluate(f"document.querySelector('#{anchor}').matches(':target')")
    marked = page.evaluate(f"getComputedStyle(document.querySelector('#{anchor}')).backgroundColor")
    assert marked not in ("rgba(0, 0, 0, 0)", "transparent")
    assert "Jaksybekova" in page.locator(f"#{anchor}").inner_text()
    page.screenshot(path=str(tmp_path / f"landed-{page.viewport_size['width']}.png"))


def test_every_internal_link_resolves_in_the_browser(site, page):
    seen: dict[str, set[str]] = {}
    for path in sorted(site.glob("*.html")):
        page.goto(path.as_uri())
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            file, _, fragment = href.partition("#")
            seen.setdefault(file, set()).add(fragment)
    assert len(seen) == 7
    for file, fragments in seen.items():
        page.goto(file)
        missing = [f for f in fragments if f and not page.evaluate("id => !!document.getElementById(id)", f)]
        assert not missing, f"{file}: {missing}"


def test_on_a_wide_screen_a_note_shows_beside_its_call(site, page, tmp_path):
    page.goto(url(site, "01-arrival.html"))
    call = page.locator("a.call").nth(2)
    call.hover()
    popover = page.locator(".note-popover")
    width = page.viewport_size["width"]
    if width < 1000:
        assert popover.count() == 0, "on a phone the call only leads to the endnote"
        return
    assert popover.is_visible() and popover.inner_text().strip() == "Orlova, in her memoir."
    box = popover.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width
    page.screenshot(path=str(tmp_path / f"popover-{width}.png"))
    page.keyboard.press("Escape")
    assert popover.count() == 0
    page.keyboard.press("Tab")  # the skip link, then the calls in order after the site's links
    page.locator("a.call").first.focus()
    assert popover.is_visible() and "The sources do not give the hour" in popover.inner_text()


def test_a_persons_address_shows_the_person_below_the_search_box(site, page, tmp_path):
    page.set_viewport_size({"width": page.viewport_size["width"], "height": 420})  # short: the page must scroll
    page.goto(url(site, "index.html"))
    page.goto(url(site, "names.html#muller-erna"))
    assert page.evaluate("scrollY") > 0
    box = page.locator("form.search").bounding_box()
    person = page.locator("#muller-erna").bounding_box()
    assert person["y"] >= box["y"] + box["height"] - 1, "the sticky search box hides the person"
    assert person["y"] < page.viewport_size["height"]
    page.fill("#q", "Muller")
    page.evaluate("location.hash = 'orlova-anna'")
    page.wait_for_function("!document.getElementById('orlova-anna').hidden")
    assert page.input_value("#q") == "" and in_view(page, "#orlova-anna")
    page.screenshot(path=str(tmp_path / f"person-{page.viewport_size['width']}.png"))
