"""ORM entities, one module per aggregate. Importing this package registers them all."""

from app.core.models.base import Base, SyncMixin
from app.core.models.clans import Clan
from app.core.models.hamlets import Hamlet, HamletKind
from app.core.models.households import Gender, Household, Person, SchoolLevel
from app.core.models.local import LocalState, Setting
from app.core.models.members import Branch, BranchKind, Member, MemberRole
from app.core.models.units import Unit, UnitKind

SYNCABLE_MODELS: tuple[type[SyncMixin], ...] = (
    Hamlet,
    Clan,
    Household,
    Person,
    Unit,
    Branch,
    Member,
)

__all__ = [
    "SYNCABLE_MODELS",
    "Base",
    "Branch",
    "BranchKind",
    "Clan",
    "Gender",
    "Hamlet",
    "HamletKind",
    "Household",
    "LocalState",
    "Member",
    "MemberRole",
    "Person",
    "SchoolLevel",
    "Setting",
    "SyncMixin",
    "Unit",
    "UnitKind",
]
