"""The resources the sample events and the document's examples name, written into a
tenant: the approved customer `cus_01JQ0...0` (with a KYC document number, a valid CURP),
its EUR account and ethereum USDC wallet, and its Mexican bank information.

The create trials seed them in each trial's fresh partner, and the fuzzing run in its
partner, so that a request naming these ids (an example, a sample event) can succeed.
Written directly, as a customer approved through KYC and those creates would leave them."""

from __future__ import annotations

import time
from typing import Any

from core.accounts import accounts
from core.bank_information import bank_information
from core.platform import keys

SAMPLE_CUSTOMER = "cus_01JQ0000000000000000000000"
SAMPLE_FIAT_ACCOUNT = "acc_01JQ0000000000000000000000"
SAMPLE_WALLET_ACCOUNT = "acc_01JQ0000000000000000000WAL"
SAMPLE_BANK_INFORMATION = "bi_01JQ0000000000000000000000"
SAMPLE_DOCUMENT_NUMBER = "BOXW310820HNERXN09"  # a CURP


def seed_sample_world(store: Any, tenant_id: str) -> None:
    now = int(time.time())
    store.put(
        keys.entity_key(tenant_id, SAMPLE_CUSTOMER),
        {
            "type": "customer",
            "id": SAMPLE_CUSTOMER,
            "tenantId": tenant_id,
            "status": "active",
            "capabilities": ["accounts"],
            "documentNumber": SAMPLE_DOCUMENT_NUMBER,
            "createdAt": now,
            "updatedAt": now,
        },
    )
    for account_id, account_type, shape in (
        (SAMPLE_FIAT_ACCOUNT, "demand_deposit", {"currency": "EUR"}),
        (SAMPLE_WALLET_ACCOUNT, "wallet", {"asset": "USDC", "chain": "ethereum"}),
    ):
        store.put(
            keys.entity_key(tenant_id, account_id),
            accounts.new_item(tenant_id, account_id, SAMPLE_CUSTOMER, account_type, shape, now),
        )
    # Another account number than the sample create's, which must create, not update.
    fields = {**bank_information.EXAMPLE, "bankName": None, "accountNumber": "1234567891"}
    store.put(
        keys.entity_key(tenant_id, SAMPLE_BANK_INFORMATION),
        bank_information.new_item(tenant_id, SAMPLE_BANK_INFORMATION, fields, now),
    )
    store.put(bank_information.guard_key(tenant_id, fields), {"type": "guard", "of": SAMPLE_BANK_INFORMATION})
