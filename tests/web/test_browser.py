"""The console in a real headless Chromium (Debian's chromium and chromedriver) against a real
`monitor run`: the demo's launches as events, following one, feedback, adding a feed, and a
hostile title shown as text. Screenshots of each page go to artifacts/browser/ (git-ignored;
MONITOR_SCREENSHOTS names another folder).

Skipped only when the browser is missing and MONITOR_BROWSER_TESTS is not "required" (CI and
`make test` set it, so there a missing browser fails)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.evaluate import read_labels
from tests.web.conftest import HOSTILE, TOKEN, Running

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
SHOTS = Path(
    os.environ.get("MONITOR_SCREENSHOTS") or Path(__file__).parents[2] / "artifacts" / "browser"
)

pytestmark = pytest.mark.browser
webdriver = pytest.importorskip("selenium.webdriver")
from selenium.common.exceptions import WebDriverException  # noqa: E402
from selenium.webdriver.chrome.service import Service as DriverService  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            return f"{path} is missing: apt-get install chromium chromium-driver"
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    """One headless Chromium for the module, driven through Debian's chromedriver (given
    explicitly, so Selenium never tries to download one)."""
    problem = _missing()
    if problem:
        if os.environ.get("MONITOR_BROWSER_TESTS") == "required":
            pytest.fail(problem)
        pytest.skip(problem)
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1360,900",
        "--no-first-run",
        "--disable-extensions",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=DriverService(executable_path=CHROMEDRIVER), options=options)
    driver.implicitly_wait(0)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: WebDriver, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1360, max(600, min(int(height) + 40, 2400)))
    assert driver.save_screenshot(str(SHOTS / f"{name}.png")), f"no screenshot of {name}"
    driver.set_window_size(1360, 900)


def rows(driver: WebDriver, table: str) -> list[str]:
    return [r.text for r in driver.find_elements(By.CSS_SELECTOR, f"#{table} tbody tr")]


def holds(check: object) -> bool:
    """`check()`, false while the page it reads is being replaced."""
    try:
        return bool(check())  # type: ignore[operator]
    except WebDriverException:
        return False


def until(what: str, check: object, driver: WebDriver, timeout: float = 90.0) -> None:
    """Reload the page until `check()` holds (the service polls on its own schedule)."""
    deadline = time.monotonic() + timeout
    while not holds(check):
        if time.monotonic() > deadline:
            said = driver.find_element(By.TAG_NAME, "body").text
            raise AssertionError(f"gave up waiting for {what}; the page said:\n{said}")
        time.sleep(0.3)
        driver.refresh()


def settled(driver: WebDriver, what: str, check: object, timeout: float = 60.0) -> None:
    """Wait, without reloading, for the answer to a form the page sent."""
    deadline = time.monotonic() + timeout
    while not holds(check):
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}: {driver.current_url}")
        time.sleep(0.1)


def visit(driver: WebDriver, url: str, what: str, check: object, timeout: float = 90.0) -> None:
    """Go to `url` and wait for `check()`; go again when the page has not come (on a loaded
    machine a navigation can be lost to one the page before it still had under way)."""
    deadline = time.monotonic() + timeout
    while True:
        driver.get(url)
        again = min(deadline, time.monotonic() + 15.0)
        while time.monotonic() < again:
            if holds(check):
                return
            time.sleep(0.1)
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what}: {driver.current_url}")


def test_the_events_page_shows_one_event_per_launch(browser: WebDriver, running: Running) -> None:
    browser.get(running.url + "/")
    assert browser.current_url.endswith("/events")

    def both_outlets_in() -> bool:
        # Newsweek's page is fetched and read after its feed item: on a loaded machine its
        # report may join the event a poll or two after the first alert went out.
        return any("2022-01-05" in r and "Newsweek" in r for r in rows(browser, "events"))

    until("Newsweek's report in the 5 January event", both_outlets_in, browser)
    listed = rows(browser, "events")
    five = [r for r in listed if "2022-01-05" in r]
    eleven = [r for r in listed if "2022-01-11" in r]
    assert len(five) == 1 and len(eleven) == 1, listed
    assert "Newsweek" in five[0] and "Wire Service" in five[0]
    assert "Newsweek" not in eleven[0]
    shot(browser, "events")


def test_a_hostile_title_is_shown_as_text(browser: WebDriver, running: Running) -> None:
    browser.get(running.url + "/events")
    assert "Hostile <b>Times</b>" in browser.find_element(By.ID, "events").text
    browser.find_element(By.XPATH, "//tr[contains(., '2022-01-17')]//a").click()
    settled(browser, "the event page", lambda: browser.find_elements(By.CSS_SELECTOR, "li.report"))
    heading = browser.find_element(By.CSS_SELECTOR, "li.report h3").text
    assert heading == HOSTILE  # the markup is there, as text
    assert browser.find_elements(By.CSS_SELECTOR, "li.report h3 script") == []
    assert browser.execute_script("return document.title") != "pwned"
    shot(browser, "hostile")


def sign_in(browser: WebDriver, running: Running) -> None:
    browser.get(running.url + "/login?next=/events")
    browser.find_element(By.NAME, "token").send_keys(TOKEN)
    browser.find_element(By.CSS_SELECTOR, "#login button").click()
    settled(
        browser,
        "signing in",
        lambda: (
            browser.current_url.endswith("/events")
            and browser.find_elements(By.XPATH, "//button[text()='Sign out']")
        ),
    )


def test_follow_an_event_and_mark_a_report_not_a_launch(
    browser: WebDriver, running: Running
) -> None:
    sign_in(browser, running)
    browser.find_element(By.XPATH, "//tr[contains(., '2022-01-05')]//a").click()
    settled(browser, "the event page", lambda: browser.find_elements(By.CSS_SELECTOR, "li.report"))
    reports = browser.find_elements(By.CSS_SELECTOR, "li.report")
    assert sorted(
        r.find_element(By.CSS_SELECTOR, ".meta").text.split(" · ")[0] for r in reports
    ) == [
        "Newsweek",
        "Wire Service",
    ]
    shot(browser, "event")
    newsweek = next(r for r in reports if r.text.count("Newsweek"))
    article = newsweek.get_attribute("data-article")
    newsweek.find_element(By.CSS_SELECTOR, "button.not-launch").click()
    # the label is written (and the page answered) before the service redirects back
    settled(
        browser,
        "the label written",
        lambda: (
            "labelled 1 reports: not a launch" in browser.find_element(By.CLASS_NAME, "done").text
        ),
    )
    marked = browser.find_element(By.CSS_SELECTOR, f"li.report[data-article='{article}'] .label")
    assert marked.text.startswith("labelled: not a launch")
    assert article is not None and read_labels(running.labels)[article].positive is False
    browser.get(running.url + "/feedback")
    assert article in browser.find_element(By.ID, "labels").text
    shot(browser, "feedback")


def test_add_a_feed_through_the_form_and_see_it_polled(
    browser: WebDriver, running: Running
) -> None:
    sign_in(browser, running)
    visit(
        browser,
        running.url + "/feeds",
        "the feeds page",
        lambda: browser.find_elements(By.ID, "add-feed"),
    )
    form = browser.find_element(By.ID, "add-feed")
    form.find_element(By.NAME, "url").send_keys(running.feeds.url("/extra/rss.xml"))
    form.find_element(By.NAME, "name").send_keys("Bakery")
    form.find_element(By.TAG_NAME, "button").click()
    # the service reloads its config (rules and all) before it answers
    settled(
        browser,
        "the feed added",
        lambda: "added feed Bakery" in browser.find_element(By.TAG_NAME, "main").text,
    )

    def polled() -> bool:
        row = browser.find_elements(By.CSS_SELECTOR, "tr.feed[data-name='Bakery'] td.outcome")
        return bool(row) and row[0].text.strip() == "200"

    until("the new feed's first poll", polled, browser)
    assert "name: Bakery" in running.config.read_text()
    shot(browser, "feeds")


def test_the_alerts_page_lists_the_outbox(browser: WebDriver, running: Running) -> None:
    browser.get(running.url + "/alerts?status=sent")
    listed = rows(browser, "alerts")
    assert listed and all("sent" in r for r in listed)
    # The 5 January launch alerted under whichever outlet's report came in first: the two
    # feeds are polled side by side.
    first = ("North Korea fires ballistic missile", "North Korea's Military Buildup Continues")
    assert any(title in r for r in listed for title in first)
    shot(browser, "alerts")
