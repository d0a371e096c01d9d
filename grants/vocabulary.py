"""Value lists of the domain (docs/DOMAIN.md). Each member is an ASCII code stored in the database and
a label translated on screen: `Sector.TAILORING.label`."""

from enum import StrEnum

from flask_babel import lazy_gettext as _l


class LabelledEnum(StrEnum):
    """A StrEnum whose members are declared as `CODE = "code", _l("Label")`."""

    def __new__(cls, value: str, label=None):
        member = str.__new__(cls, value)
        member._value_ = value
        member._label = label if label is not None else value
        return member

    @property
    def label(self) -> str:
        return str(self._label)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(member.value, member.label) for member in cls]


class Sex(LabelledEnum):
    FEMALE = "F", _l("Female")
    MALE = "M", _l("Male")


class IdType(LabelledEnum):
    NINA = "nina", _l("NINA card / number")
    CNI = "cni", _l("National identity card")
    PASSPORT = "passport", _l("Passport")
    CONSULAR_CARD = "consular_card", _l("Consular card")
    LAISSEZ_PASSER = "laissez_passer", _l("Laissez-passer")
    BIRTH_CERTIFICATE = "birth_certificate", _l("Birth certificate")
    NONE = "none", _l("No document")


class BeneficiaryCategory(LabelledEnum):
    RETURNEE = "returnee", _l("Returning migrant")
    POTENTIAL_MIGRANT = "potential_migrant", _l("Potential irregular migrant")
    COMMUNITY_MEMBER = "community_member", _l("Community member")


class ReturnMode(LabelledEnum):
    AVRR = "avrr", _l("Assisted voluntary return (AVRR)")
    HUMANITARIAN = "humanitarian", _l("Humanitarian return")
    EXPELLED = "expelled", _l("Expelled / pushed back")
    STATE_REPATRIATION = "state_repatriation", _l("State repatriation")
    SPONTANEOUS = "spontaneous", _l("Spontaneous return")


class Education(LabelledEnum):
    NONE = "none", _l("None")
    KORANIC = "koranic", _l("Koranic school")
    LITERACY = "literacy", _l("Literacy course")
    PRIMARY = "primary", _l("Primary")
    SECONDARY = "secondary", _l("Secondary")
    VOCATIONAL = "vocational", _l("Vocational training")
    HIGHER = "higher", _l("Higher education")


class Vulnerability(LabelledEnum):
    """Restricted: shown only with the restricted-data permission."""

    TRAFFICKING = "trafficking", _l("Victim of trafficking")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _l("Unaccompanied or separated child")
    MEDICAL_NEED = "medical_need", _l("Medical need")
    MENTAL_DISTRESS = "mental_distress", _l("Mental distress")
    GBV_SURVIVOR = "gbv_survivor", _l("Survivor of gender-based violence")
    DISABILITY = "disability", _l("Disability")
    ELDERLY = "elderly", _l("Elderly person")
    PREGNANT = "pregnant", _l("Pregnant or breastfeeding")
    SINGLE_HEAD = "single_head", _l("Single head of household")
    ROUTE_VIOLENCE = "route_violence", _l("Violence or detention on the route")


class ProjectType(LabelledEnum):
    INDIVIDUAL = "individual", _l("Individual")
    COLLECTIVE = "collective", _l("Collective")
    COMMUNITY = "community", _l("Community")

    @property
    def has_members(self) -> bool:
        """A dossier of several people: a members page besides its lead."""
        return self != ProjectType.INDIVIDUAL

    @property
    def has_shares(self) -> bool:
        """Each member owns a share of the activity (whole percents totalling 100)."""
        return self == ProjectType.COLLECTIVE

    @property
    def names_a_community(self) -> bool:
        return self == ProjectType.COMMUNITY


class Sector(LabelledEnum):
    AGRICULTURE = "agriculture", _l("Agriculture / market gardening")
    LIVESTOCK = "livestock", _l("Livestock / fattening")
    FISHING = "fishing", _l("Fishing / fish farming")
    AGRIFOOD = "agrifood", _l("Agri-food processing")
    TRADE = "trade", _l("Trade / shop")
    TAILORING = "tailoring", _l("Tailoring / textile")
    METALWORK = "metalwork", _l("Metal work / welding")
    WOODWORK = "woodwork", _l("Woodwork")
    CONSTRUCTION = "construction", _l("Construction / masonry")
    PAINTING = "painting", _l("Painting")
    MECHANICS = "mechanics", _l("Mechanics / repair")
    TRANSPORT = "transport", _l("Transport (tricycle, moto-taxi)")
    HAIRDRESSING = "hairdressing", _l("Hairdressing / beauty")
    CATERING = "catering", _l("Catering")
    DIGITAL = "digital", _l("Phone / digital services")
    CRAFTS = "crafts", _l("Crafts")
    OTHER = "other", _l("Other")


class SupportMode(LabelledEnum):
    IN_KIND = "in_kind", _l("In kind via a supplier")
    CASH = "cash", _l("Cash")
    MIXED = "mixed", _l("Mixed")


class ContributionKind(LabelledEnum):
    NONE = "none", _l("None")
    CASH = "cash", _l("Cash")
    IN_KIND = "in_kind", _l("In kind")
    BOTH = "both", _l("Cash and in kind")


class BudgetCategory(LabelledEnum):
    EQUIPMENT = "equipment", _l("Equipment and tools")
    STOCK = "stock", _l("Goods and raw materials")
    PREMISES = "premises", _l("Premises (rent, fitting out)")
    LIVESTOCK = "livestock", _l("Animals")
    WORKING_CAPITAL = "working_capital", _l("Working capital")
    TRAINING = "training", _l("Training")
    TRANSPORT = "transport", _l("Transport and installation")
    OTHER = "other", _l("Other")


class FundingSource(LabelledEnum):
    BSI = "bsi", _l("National budget (BSI)")
    IOM = "iom", _l("IOM")
    EU = "eu", _l("European Union")
    OTHER = "other", _l("Other")


class DocumentKind(LabelledEnum):
    ID_SCAN = "id_scan", _l("Identity document")
    PROFORMA = "proforma", _l("Pro-forma invoice")
    PHOTO = "photo", _l("Photo")
    BUSINESS_PLAN = "business_plan", _l("Business plan")
    OTHER = "other", _l("Other document")
    SIGNATURE = "signature", _l("Signature or thumbprint")  # of a consent, not of a dossier


class ConsentScope(LabelledEnum):
    PROCESSING = "processing", _l("Processing of personal data for the programme")
    SHARE_CNRM = "share_cnrm", _l("Sharing with CNRM partners")
    SHARE_IOM = "share_iom", _l("Sharing with IOM")
    PHOTO = "photo", _l("Photos")
    MOBILE_MONEY = "mobile_money", _l("Payment by mobile money")
    FOLLOW_UP = "follow_up", _l("Follow-up contact")


class ConsentEnding(LabelledEnum):
    """Why a consent ended, when the system ends it (a withdrawal keeps the person's own words
    in the same column; the history shows the label of a code, else the words)."""

    REPLACED = "replaced", _l("Replaced by a newer consent")
    ERASED = "erased", _l("Erased on request")  # grants/services/privacy/erasure.py


class VerificationStatus(LabelledEnum):
    UNVERIFIED = "unverified", _l("Unverified")
    VERIFIED = "verified", _l("Verified")
    SUSPECTED_DUPLICATE = "suspected_duplicate", _l("Suspected duplicate")
    REJECTED = "rejected", _l("Rejected")


class CallStatus(LabelledEnum):
    DRAFT = "draft", _l("Draft")
    OPEN = "open", _l("Open")
    CLOSED = "closed", _l("Closed")

    @property
    def is_draft(self) -> bool:
        """Not open yet: opening it is the next step."""
        return self == CallStatus.DRAFT

    @property
    def is_closed(self) -> bool:
        """Nothing changes on a closed call any more."""
        return self == CallStatus.CLOSED


# --- follow-up visits (docs/DOMAIN.md) ----------------------------------------------------------

class VisitMode(LabelledEnum):
    ON_SITE = "on_site", _l("On site")
    PHONE = "phone", _l("By phone")


class ActivityStatus(LabelledEnum):
    GROWING = "growing", _l("Growing")
    STABLE = "stable", _l("Stable")
    IN_DIFFICULTY = "in_difficulty", _l("In difficulty")
    SUSPENDED = "suspended", _l("Temporarily suspended")
    ABANDONED = "abandoned", _l("Abandoned")
    CONVERTED = "converted", _l("Converted to another activity")
    UNREACHABLE = "unreachable", _l("Beneficiary unreachable")
    MOVED_AWAY = "moved_away", _l("Moved away")
    REMIGRATED = "remigrated", _l("Re-migrated")

    @property
    def operating(self) -> bool | None:
        """Whether an activity survives: None when the visit could not tell."""
        if self == ActivityStatus.UNREACHABLE:
            return None
        return self in (ActivityStatus.GROWING, ActivityStatus.STABLE,
                        ActivityStatus.IN_DIFFICULTY, ActivityStatus.CONVERTED)


class ItemPresence(LabelledEnum):
    ALL = "all", _l("All present")
    PART = "part", _l("Partly present")
    ABSENT = "absent", _l("Absent")
    SOLD = "sold", _l("Sold")


class VisitProblem(LabelledEnum):
    SALES = "sales", _l("Few customers or sales")
    SUPPLY = "supply", _l("Supply or prices of inputs")
    EQUIPMENT = "equipment", _l("Equipment broken or missing")
    PREMISES = "premises", _l("Premises (rent, eviction)")
    CASH = "cash", _l("Lack of working capital")
    DEBT = "debt", _l("Debts")
    HEALTH = "health", _l("Health of the beneficiary")
    FAMILY = "family", _l("Family pressure on the money")
    GROUP = "group", _l("Conflict within the group")
    SECURITY = "security", _l("Insecurity")
    SEASON = "season", _l("Season or weather")
    SKILLS = "skills", _l("Management or technical skills")
    OTHER = "other", _l("Other problem")


class Recommendation(LabelledEnum):
    FAVOURABLE = "favourable", _l("Favourable")
    RESERVATIONS = "reservations", _l("Favourable with reservations")
    UNFAVOURABLE = "unfavourable", _l("Unfavourable")

    @property
    def releases(self) -> bool:
        """Whether the recommendation lets the next tranche be paid (reservations are noted)."""
        return self != Recommendation.UNFAVOURABLE


class ReferralService(LabelledEnum):
    PSYCHOSOCIAL = "psychosocial", _l("Psychosocial support")
    HEALTH = "health", _l("Health")
    TRAINING = "training", _l("Vocational training")
    CIVIL_DOCUMENTS = "civil_documents", _l("Civil documents")
    HOUSING = "housing", _l("Housing")
    LEGAL = "legal", _l("Legal aid")
    MICROFINANCE = "microfinance", _l("Microfinance")
    EMPLOYMENT = "employment", _l("Employment")
