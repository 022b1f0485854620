"""A summary of a contract set: per domain its owner, system of record, operations and events."""

from __future__ import annotations

from dataclasses import dataclass, field

from accord.contracts import ContractSet
from accord.spec import iter_async_operations, iter_operations


@dataclass(frozen=True)
class DomainSummary:
    domain: str
    owner: str
    system_of_record: str
    stability: str
    operations: tuple[str, ...] = field(default_factory=tuple)
    publishes: tuple[str, ...] = field(default_factory=tuple)
    consumes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, object]:
        return {
            "domain": self.domain,
            "owner": self.owner,
            "systemOfRecord": self.system_of_record,
            "stability": self.stability,
            "operations": list(self.operations),
            "publishes": list(self.publishes),
            "consumes": list(self.consumes),
        }


def summarise(contract_set: ContractSet) -> list[DomainSummary]:
    """One summary per domain (catalogue order), from the loaded documents."""
    summaries: list[DomainSummary] = []
    catalogue = contract_set.config.domains
    for contract in contract_set.contracts():
        entry = catalogue.get(contract.domain)
        info: dict[str, object] = {}
        for doc in contract.documents():
            if isinstance(doc.data, dict) and isinstance(doc.data.get("info"), dict):
                info = doc.data["info"]
                break
        operations = tuple(op.key for op in iter_operations(contract.openapi)) if contract.openapi else ()
        publishes: list[str] = []
        consumes: list[str] = []
        if contract.asyncapi:
            for aop in iter_async_operations(contract.asyncapi):
                address = aop.channel.address if aop.channel and aop.channel.address else aop.id
                (publishes if aop.action == "send" else consumes).append(address)
        summaries.append(
            DomainSummary(
                domain=contract.domain,
                owner=entry.owner if entry else str(info.get("x-accord-owner", "?")),
                system_of_record=entry.system_of_record
                if entry
                else str(info.get("x-accord-system-of-record", "?")),
                stability=entry.stability if entry else str(info.get("x-accord-stability", "?")),
                operations=operations,
                publishes=tuple(publishes),
                consumes=tuple(consumes),
            )
        )
    return summaries
