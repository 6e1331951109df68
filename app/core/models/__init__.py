"""ORM entities, one module per aggregate. Importing this package registers them all."""

from app.core.models.accounts import Account, AuditEntry
from app.core.models.activities import Activity, ActivityParticipant
from app.core.models.assessment import (
    Assessment,
    CriteriaSet,
    CycleYear,
    Recognition,
    RecognitionDecision,
    Registration,
)
from app.core.models.base import Base, SyncMixin
from app.core.models.clans import Clan
from app.core.models.fund import Award, DuesPayment, FundEntry, FundProgramme
from app.core.models.hamlets import Hamlet, HamletKind
from app.core.models.households import Gender, Household, Person, SchoolLevel
from app.core.models.local import LocalState, Setting
from app.core.models.members import Branch, BranchKind, Member, MemberRole
from app.core.models.sync import (  # noqa: F401  (registers the sync tables)
    SyncConflict,
    SyncExport,
    SyncLedger,
    SyncPinnedKey,
    SyncProvince,
    SyncRecord,
)
from app.core.models.units import Unit, UnitKind

SYNCABLE_MODELS: tuple[type[SyncMixin], ...] = (
    Hamlet,
    Clan,
    Household,
    Person,
    Unit,
    Branch,
    Member,
    CriteriaSet,
    CycleYear,
    Registration,
    Assessment,
    RecognitionDecision,
    Recognition,
    FundEntry,
    FundProgramme,
    Award,
    DuesPayment,
    Activity,
    ActivityParticipant,
)

__all__ = [
    "SYNCABLE_MODELS",
    "Account",
    "Activity",
    "ActivityParticipant",
    "Assessment",
    "AuditEntry",
    "Award",
    "Base",
    "Branch",
    "BranchKind",
    "Clan",
    "CriteriaSet",
    "CycleYear",
    "DuesPayment",
    "FundEntry",
    "FundProgramme",
    "Gender",
    "Hamlet",
    "HamletKind",
    "Household",
    "LocalState",
    "Member",
    "MemberRole",
    "Person",
    "Recognition",
    "RecognitionDecision",
    "Registration",
    "SchoolLevel",
    "Setting",
    "SyncMixin",
    "Unit",
    "UnitKind",
]
