"""A person approves a customer on the sandbox KYC page, in a real (headless) Chromium,
against the local API: customer created through the SDK, page opened at its
verificationUrl, Approve clicked, the signed callback delivered over HTTP, the customer
active with the `accounts` capability.

Needs Chromium and its driver at /usr/bin (Debian: `apt-get install -y chromium
chromium-driver`; the Makefile installs them on CI). Selenium Manager is never used: the
driver's path is given, so nothing is downloaded.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions
from selenium.webdriver.support.ui import WebDriverWait

from partner_sdk.client import PartnerClient
from partner_sdk.credentials import credentials_from_file

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT_SECONDS = 30


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[webdriver.Chrome]:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.is_file()]
    if missing:
        pytest.fail(f"{', '.join(missing)} missing: apt-get install -y chromium chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1024,1000",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
    ):
        options.add_argument(argument)
    service = Service(str(CHROMEDRIVER), log_output=str(tmp_path / "chromedriver.log"))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_page_load_timeout(WAIT_SECONDS)
    try:
        yield driver
    finally:
        driver.quit()


def test_a_person_approves_a_customer_on_the_sandbox_page(
    local_api: tuple[str, Path], browser: webdriver.Chrome, tmp_path: Path
) -> None:
    base_url, credentials = local_api
    with PartnerClient(credentials_from_file(credentials)) as api:
        created = api.post(
            "/v1/customers",
            json={
                "type": "individual",
                "name": "Ada Lovelace",
                "email": "ada@example.com",
                "country": "GB",
                "externalId": f"browser-{uuid.uuid4().hex}",
            },
        ).json()
        assert created["status"] == "pending"
        url = created["verificationUrl"]
        assert url.startswith(f"{base_url}/sandbox/kyc/")

        browser.get(url)
        wait = WebDriverWait(browser, WAIT_SECONDS)
        approve = wait.until(expected_conditions.element_to_be_clickable((By.ID, "approve")))
        page = browser.find_element(By.TAG_NAME, "main").text
        assert "Ada Lovelace" in page and "ada@example.com" in page and "pending" in page
        assert browser.find_element(By.ID, "reject").is_displayed()
        # The CSP's style hash let the inline stylesheet apply (the header bar is dark).
        header_colour = browser.execute_script(
            "return getComputedStyle(document.querySelector('header')).backgroundColor"
        )
        assert header_colour == "rgb(15, 23, 42)"
        browser.save_screenshot(str(tmp_path / "kyc_page.png"))

        approve.click()
        status = wait.until(expected_conditions.presence_of_element_located((By.ID, "customer-status")))
        assert status.text == "active"
        result = browser.find_element(By.TAG_NAME, "main").text
        assert "Decision recorded" in result and "HTTP 200" in result
        browser.save_screenshot(str(tmp_path / "kyc_result.png"))

        customer = api.get(f"/v1/customers/{created['id']}").json()
        assert customer["status"] == "active"
        assert "accounts" in customer["capabilities"]

        # The page now says the verification is complete, with no buttons.
        browser.get(url)
        wait.until(expected_conditions.presence_of_element_located((By.CLASS_NAME, "notice")))
        assert "This verification is complete" in browser.find_element(By.TAG_NAME, "main").text
        assert not browser.find_elements(By.ID, "approve")


def test_a_forged_link_is_a_not_found_page(local_api: tuple[str, Path], browser: webdriver.Chrome) -> None:
    base_url, _ = local_api
    browser.get(f"{base_url}/sandbox/kyc/forged.{'A' * 43}")
    heading = WebDriverWait(browser, WAIT_SECONDS).until(
        expected_conditions.presence_of_element_located((By.TAG_NAME, "h1"))
    )
    assert heading.text == "Verification link not found"
