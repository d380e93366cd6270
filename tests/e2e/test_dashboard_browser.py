"""The dashboard in a real browser (headless Chromium through Selenium): jobs, charts and a story in
ru, en and ar render, Arabic runs right to left, and a crawled title made of markup shows as text and
runs nothing. A screenshot is saved beside the test's files for a person to look at."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from storage.db import session_scope
from storage.models import Article

from ..conftest import HOSTILE_TITLE, DemoDatabase, in_ci
from .service import Service

pytestmark = pytest.mark.long_running

CHROMIUM, DRIVER = shutil.which("chromium"), shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not (CHROMIUM and DRIVER):
        if in_ci():
            pytest.fail("chromium and chromium-driver are missing; .ci/run installs them")
        pytest.skip("needs Debian's chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service as DriverService

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--window-size=1400,2200",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=DriverService(executable_path=DRIVER))
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def service(demo_database: DemoDatabase, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    server = Service(demo_database.url, "--quiet", log=tmp_path_factory.mktemp("browser") / "serve.log")
    yield server
    server.stop()


def test_the_dashboard_renders_jobs_charts_and_a_story_in_three_languages(browser, service: Service, tmp_path: Path):
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By

    browser.get(service.base + "/")
    assert browser.title == "newsagg"
    jobs = [
        row.text for row in browser.find_elements(By.XPATH, "//h2[.='Crawl jobs']/following-sibling::table[1]/tbody/tr")
    ]
    assert len(jobs) == 2 and all("finished" in row for row in jobs)

    charts = browser.find_elements(By.CSS_SELECTOR, "svg.chart")
    assert [c.get_attribute("aria-label") for c in charts] == [
        "New articles per day and language",
        "Error and drop rates per source (recent runs)",
        "Translation coverage: stories in one language that have another",
    ]
    for chart in charts:
        assert chart.size["width"] > 200 and chart.size["height"] > 40
        assert chart.find_elements(By.CSS_SELECTOR, "rect")

    with session_scope(service.db) as session:
        complete = {
            group
            for group, count in session.execute(
                select(Article.group_id, func.count()).where(Article.group_id.is_not(None)).group_by(Article.group_id)
            )
            if count == 3
        }
    listed = browser.find_elements(By.CSS_SELECTOR, "#stories tbody tr")
    rows = [row for row in listed if row.get_attribute("data-story") in {f"g{group}" for group in complete}]
    assert rows, "a story in ru, en and ar is listed"
    cells = rows[0].find_elements(By.CSS_SELECTOR, "td.story a")
    assert [c.get_attribute("lang") for c in cells] == ["ru", "en", "ar"]
    assert cells[2].value_of_css_property("direction") == "rtl"
    assert cells[2].value_of_css_property("text-align") in ("right", "start")

    # The planted title is on the page as the text it is, and none of it ran.
    shown = [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#stories a")]
    assert HOSTILE_TITLE.strip() in shown
    assert browser.execute_script("return typeof window.pwned") == "undefined"
    with pytest.raises(NoAlertPresentException):
        browser.switch_to.alert  # noqa: B018 - the property raises when no alert is open
    assert not browser.find_elements(By.CSS_SELECTOR, "#stories img, #stories script")

    shot = Path(tmp_path / "dashboard.png")
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    print(f"screenshot: {shot}")

    # The filters are form controls: choosing Arabic lists only stories that have an Arabic article.
    from selenium.webdriver.support.ui import Select, WebDriverWait

    Select(browser.find_element(By.NAME, "lang")).select_by_value("ar")
    browser.find_element(By.CSS_SELECTOR, "form.filters button").click()
    # The click starts the form's navigation; the new page is there once its URL is.
    WebDriverWait(browser, 20).until(lambda driver: "lang=ar" in driver.current_url)
    browser.find_element(By.CSS_SELECTOR, "#stories")
    listed = browser.find_elements(By.CSS_SELECTOR, "#stories tbody tr")
    assert listed and all(row.find_elements(By.CSS_SELECTOR, "a[lang=ar]") for row in listed)
