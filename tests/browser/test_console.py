"""The console end to end in headless Chromium: data made with boto3 shows, the controls work.

All of a module's tests share one server (its clock moves) and run on one worker.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from chime_local.testing import ServerProcess
from tests.api.admin_calls import enterprise_account
from tests.support import sdk_client

pytestmark = pytest.mark.xdist_group("browser")
DOCS = Path(__file__).resolve().parents[2] / "docs"
SCREENSHOTS = os.environ.get("CHIME_LOCAL_UPDATE_SCREENSHOTS") == "1"


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 720})
    context.set_default_timeout(10_000)
    try:
        yield context.new_page()
    finally:
        context.close()


TENANT = "111122223333"


@pytest.fixture
def client(console_server: ServerProcess) -> Any:
    return sdk_client(console_server.endpoint_url, TENANT)


def console(server: ServerProcess, path: str = "") -> str:
    return f"{server.endpoint_url}/_chime_local/console/{path}"


def screenshot(page: Any, name: str) -> None:
    """Take the page's picture; with CHIME_LOCAL_UPDATE_SCREENSHOTS=1 it replaces docs/'s."""
    data = page.screenshot(full_page=False)
    assert data.startswith(b"\x89PNG")
    if SCREENSHOTS:
        DOCS.mkdir(exist_ok=True)
        (DOCS / f"console-{name}.png").write_bytes(data)


def test_data_made_with_boto3_shows_in_the_console(
    console_server: ServerProcess, client: Any, page: Any
) -> None:
    account_id = enterprise_account(console_server, TENANT)["AccountId"]
    user = client.create_user(AccountId=account_id, Email="lin@example.com")["User"]
    room = client.create_room(AccountId=account_id, Name="Standup")["Room"]
    client.create_room_membership(
        AccountId=account_id, RoomId=room["RoomId"], MemberId=user["UserId"]
    )
    client.create_bot(AccountId=account_id, DisplayName="Helper", Domain="example.com")
    page.goto(console(console_server))
    page.get_by_role("link", name="EnterpriseLWA Co").click()
    users = page.locator("#users")
    users.get_by_text("lin@example.com").wait_for()
    assert "Standup" in page.get_by_role("heading", name="Standup").inner_text()
    assert "lin@example.com" in page.locator("#rooms").inner_text()
    assert "Helper" in page.locator("#bots").inner_text()
    screenshot(page, "account")
    page.get_by_label("Status").select_option("Unregistered")
    page.get_by_role("button", name="Filter").click()
    assert users.get_by_text("No users match.").is_visible()
    page.get_by_label("Status").select_option("")
    page.get_by_role("button", name="Filter").click()
    users.get_by_role("link", name="lin@example.com").click()
    shown = page.locator("#get-user").inner_text()
    assert user["UserId"] in shown
    assert '"UserRegistrationStatus": "Registered"' in shown


def test_an_invitation_is_accepted_through_the_outbox_link(
    console_server: ServerProcess, client: Any, page: Any
) -> None:
    account_id = client.create_account(Name="Invites")["Account"]["AccountId"]
    client.invite_users(AccountId=account_id, UserEmailList=["mo@example.com"])
    page.goto(console(console_server, "outbox"))
    screenshot(page, "outbox")
    page.get_by_role("link", name="Open the invitation for mo@example.com").click()
    page.get_by_role("button", name="Accept the invitation and register").click()
    assert "Registered" in page.get_by_role("status").inner_text()
    listed = client.list_users(AccountId=account_id, UserEmail="mo@example.com")["Users"][0]
    user = client.get_user(AccountId=account_id, UserId=listed["UserId"])["User"]
    assert user["UserRegistrationStatus"] == "Registered"
    assert user["UserInvitationStatus"] == "Accepted"


def test_a_call_appears_in_the_live_log_without_reloading(
    console_server: ServerProcess, client: Any, page: Any
) -> None:
    account_id = client.create_account(Name="Logged")["Account"]["AccountId"]
    page.goto(console(console_server, "log"))
    page.evaluate("window.sameDocument = true")  # a reload would drop it
    assert page.locator("#log li", has_text=account_id).count() == 1  # CreateAccount only
    client.create_user(AccountId=account_id, Email="secret@example.com")
    entry = page.locator("#log li", has_text="CreateUser").filter(has_text=account_id)
    entry.wait_for()  # arrives through the page's polling
    assert page.evaluate("window.sameDocument") is True
    entry.locator("summary").click()
    details = entry.inner_text()
    assert '"Email": "***"' in details
    assert "secret@example.com" not in details
    screenshot(page, "log")


def test_advancing_the_clock_purges_a_deleted_phone_number(
    console_server: ServerProcess, client: Any, page: Any
) -> None:
    number = client.search_available_phone_numbers(AreaCode="206", MaxResults=1)[
        "E164PhoneNumbers"
    ][0]
    client.create_phone_number_order(ProductType="BusinessCalling", E164PhoneNumbers=[number])
    page.goto(console(console_server, "controls"))
    page.get_by_label("Advance by").fill("1")
    page.get_by_label("Unit").select_option("days")
    page.get_by_role("button", name="Advance the clock").click()
    assert "Clock advanced" in page.get_by_role("status").inner_text()
    client.delete_phone_number(PhoneNumberId=number)
    page.goto(console(console_server, "phone-numbers"))
    queue = page.locator("#deletion-queue")
    assert number in queue.inner_text()
    screenshot(page, "phone-numbers")
    page.goto(console(console_server, "controls"))
    page.get_by_label("Advance by").fill("8")
    page.get_by_role("button", name="Advance the clock").click()
    page.goto(console(console_server, "phone-numbers"))
    assert number not in page.locator("#numbers").inner_text()
    assert "The queue is empty." in queue.inner_text()
    with pytest.raises(ClientError) as raised:
        client.get_phone_number(PhoneNumberId=number)
    assert raised.value.response["Error"]["Code"] == "NotFoundException"


def add_fault(
    page: Any, server: ServerProcess, operation: str, count: str = "", probability: str = ""
) -> None:
    page.goto(console(server, "controls"))
    page.get_by_label("Operation").select_option(operation)
    page.get_by_label("Error").select_option("ServiceFailureException")
    page.get_by_label("Count (next N calls)").fill(count)
    page.get_by_label("or probability (0-1)").fill(probability)
    page.get_by_role("button", name="Add the fault rule").click()


def test_a_fault_added_in_the_console_fails_the_next_call(
    console_server: ServerProcess, client: Any, page: Any
) -> None:
    account_id = client.create_account(Name="Faulty")["Account"]["AccountId"]
    add_fault(page, console_server, "GetAccount", count="1")
    assert "Fault rule added" in page.get_by_role("status").inner_text()
    assert "GetAccount" in page.locator("#faults").inner_text()
    screenshot(page, "controls")
    with pytest.raises(ClientError) as raised:
        client.get_account(AccountId=account_id)
    assert raised.value.response["Error"]["Code"] == "ServiceFailureException"
    assert client.get_account(AccountId=account_id)["Account"]["Name"] == "Faulty"
    page.goto(console(console_server, "controls"))
    assert "No fault rules." in page.locator("#faults").inner_text()


def test_every_control_is_labelled_and_reachable_by_keyboard(
    console_server: ServerProcess, page: Any
) -> None:
    page.goto(console(console_server, "controls"))
    unlabelled = page.evaluate(
        """() => Array.from(document.querySelectorAll('input:not([type=hidden]), select'))
            .filter((e) => e.labels.length === 0 && !e.getAttribute('aria-label'))
            .map((e) => e.name)"""
    )
    assert unlabelled == []
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Accounts"


TOKEN = "browser-admin-token"


@pytest.fixture(scope="module")
def guarded_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    db = tmp_path_factory.mktemp("guarded") / "chime.db"
    with ServerProcess(db=db, extra_args=("--quiet", "--admin-token", TOKEN)) as process:
        yield process


def test_the_token_guard(guarded_server: ServerProcess, page: Any) -> None:
    page.goto(console(guarded_server, "controls"))
    assert page.url.endswith("/_chime_local/console/login")
    page.get_by_label("Admin token").fill("wrong")
    page.get_by_role("button", name="Sign in").click()
    assert "not the admin token" in page.get_by_role("alert").inner_text()
    page.get_by_label("Admin token").fill(TOKEN)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Tenants and accounts").wait_for()
    (cookie,) = page.context.cookies()
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/_chime_local/console/"
    page.goto(console(guarded_server, "controls"))
    page.get_by_label("Yes, delete every record").check()
    page.get_by_role("button", name="Reset everything").click()
    assert "Everything reset" in page.get_by_role("status").inner_text()


def test_a_fault_rule_is_removed_in_the_console(console_server: ServerProcess, page: Any) -> None:
    add_fault(page, console_server, "ListAccounts", probability="0.5")
    assert "ListAccounts" in page.locator("#faults").inner_text()
    page.get_by_role("button", name="Remove the fault rule on ListAccounts").click()
    assert "Fault rule removed" in page.get_by_role("status").inner_text()
    assert "No fault rules." in page.locator("#faults").inner_text()


def test_export_reset_and_import_restore_the_state(
    console_server: ServerProcess, client: Any, page: Any, tmp_path: Path
) -> None:
    """Last in the module: it resets the module's server."""
    account_id = client.create_account(Name="Round Trip")["Account"]["AccountId"]
    page.goto(console(console_server, "controls"))
    with page.expect_download() as download:
        page.get_by_role("link", name="Download an export (seed document)").click()
    exported = tmp_path / "export.json"
    download.value.save_as(exported)
    page.get_by_role("button", name="Reset everything").click()  # the box is not ticked
    assert client.get_account(AccountId=account_id)["Account"]["Name"] == "Round Trip"
    page.get_by_label("Yes, delete every record").check()
    page.get_by_role("button", name="Reset everything").click()
    assert "Everything reset" in page.get_by_role("status").inner_text()
    with pytest.raises(ClientError):
        client.get_account(AccountId=account_id)
    page.get_by_label("Seed or export file (JSON)").set_input_files(str(exported))
    page.get_by_role("button", name="Import").click()
    assert "Imported" in page.get_by_role("status").inner_text()
    assert client.get_account(AccountId=account_id)["Account"]["Name"] == "Round Trip"
