"""`POST /v1/accounts/{accountId}/blockchain-addresses`: issue a deposit address.

The address is derived at the next index of the chain family's extended public key
(`deposit_keys`). That index is allocated in the same transaction as the address: the
key's counter item (outside any tenant, `keys.deployment_guard_key`) moves from the index
read to the next on the condition that it still holds the one read, beside the account's
condition (an `active` wallet account on this chain, below `MAX_PER_ACCOUNT` addresses),
the address item, and the address's guard. Two requests that read the same index cannot
both commit: the loser runs again from a fresh read (the pipeline's RaceLost retry). So
no index and no address is issued twice, and an index is used only by a committed
address: the sequence has no gaps, which wallets that scan with a gap limit rely on.

The counter is one item per key, written by every issue on every account of the family:
a hot item by design (one index sequence). Its limits are in the README.
"""

from __future__ import annotations

from typing import Any

from core.accounts import deposit_keys
from core.accounts.accounts import (
    ADDRESS_KIND,
    MAX_ADDRESSES,
    AccountPath,
    facts,
    render_address,
    stage_issue,
)
from core.onchain import chains
from core.platform import keys, outbox
from core.platform.errors import (
    AlreadyExists,
    RaceLost,
    SchemeUnsupported,
    StateConflict,
)
from core.platform.ids import new_id
from core.platform.pipeline import Call
from core.platform.store import Condition
from core.platform.validation import EmptyBody

MAX_PER_ACCOUNT = MAX_ADDRESSES
KEY_GUARD = "deposit_key"
ADDRESS_GUARD = "deposit_address"

IssueBlockchainAddress = EmptyBody


def issue(call: Call[IssueBlockchainAddress, None, AccountPath]) -> dict[str, Any]:
    account_id, tenant_id = call.path.accountId, call.tenant_id
    known = facts(call)
    if known.account_type != "wallet" or known.chain is None or known.asset is None:
        raise SchemeUnsupported(
            "Blockchain addresses are for wallet accounts; a fiat account takes account numbers.",
            param="accountId",
        )
    key = deposit_keys.deposit_key(call.settings, known.chain)
    counter_key = keys.deployment_guard_key(KEY_GUARD, key.fingerprint)
    counter = call.store.get(counter_key, consistent=True)
    index = int(counter["nextIndex"]) if counter else 0
    address = deposit_keys.derive(key, index)
    address_id = new_id("addr")
    item = {
        "type": "blockchain_address",
        "id": address_id,
        "tenantId": tenant_id,
        "accountId": account_id,
        "chain": known.chain,
        "asset": known.asset,
        "address": address,
        "derivationPath": key.path(index),
        "keyFingerprint": key.fingerprint,  # which key: the path alone does not say
        "createdAt": int(call.now),
    }
    taken = RaceLost("Another request took this index; reading the next.")
    call.tx.update(
        counter_key,
        "SET nextIndex = :next, #family = :family, accountPath = :path",
        names={"#family": "family"},
        values={":next": index + 1, ":family": key.family.name, ":path": key.path(0).rsplit("/", 2)[0]},
        condition=Condition("nextIndex = :read", values={":read": index})
        if counter
        else Condition("attribute_not_exists(nextIndex)"),
        on_fail=taken,
    )
    stage_issue(
        call.tx,
        tenant_id,
        account_id,
        known,
        count="addressCount",
        limit=MAX_PER_ACCOUNT,
        what="deposit addresses",
    )
    call.tx.create(
        keys.child_key(tenant_id, account_id, ADDRESS_KIND, address_id),
        item,
        on_fail=AlreadyExists("Address id clash."),
    )
    # The counter alone keeps indexes unique; this guard keeps addresses unique whatever
    # the configuration did (the same key configured again under another name).
    call.tx.create(
        keys.deployment_guard_key(
            f"{ADDRESS_GUARD}#{key.family.name}", chains.unique_address(known.chain, address)
        ),
        {"type": "guard", "tenantId": tenant_id, "of": account_id},  # the owner, nothing else
        on_fail=StateConflict(
            "The derived address is already issued: the deposit key's index sequence was reset.",
            param="accountId",
        ),
    )
    rendered = render_address(item, "active")
    outbox.stage(
        call.tx, tenant_id=tenant_id, event_type="blockchain_address.created", obj=rendered, now=call.now
    )
    return rendered
