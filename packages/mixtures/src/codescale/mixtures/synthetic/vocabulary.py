"""Domain vocabularies the builder draws identifiers, strings and doc comments from.

Each domain is a small business or everyday setting (a warehouse, a weather station, a gradebook...) with one record
type and words for its integer, float and text quantities. Names of functions and variables are built from these
words, so two programs of the same shape still differ in most identifiers, and the corpus reads like code somebody
wrote about something rather than ``f1(a, b)``.

Every word is chosen so that no rendering of it (alone or as the first word of a name) is a keyword or a common
builtin in any of the seven languages; ``tests/mixtures/test_synthetic.py`` checks that.
"""

from __future__ import annotations

from dataclasses import dataclass

from codescale.mixtures.synthetic.ir import Name


@dataclass(frozen=True)
class Domain:
    topic: str
    """Plain-language subject, used in doc comments ("inventory", "weather readings")."""
    container: Name
    """The Java/C# class that wraps the program."""
    record: Name
    item: Name
    """What one element of a list of records is called (a record variable)."""
    int_fields: tuple[Name, ...]
    float_fields: tuple[Name, ...]
    str_fields: tuple[Name, ...]
    labels: tuple[str, ...]
    """Sample string values (lower-case, ASCII, no quotes)."""
    adjectives: tuple[str, ...]


DOMAINS: tuple[Domain, ...] = (
    Domain(
        "inventory",
        ("stock", "ledger"),
        ("product",),
        ("product",),
        (("quantity",), ("reorder", "level"), ("shelf",)),
        (("unit", "price"), ("weight",)),
        (("sku",), ("vendor",)),
        ("bolt", "washer", "hinge", "gasket", "bracket"),
        ("low", "heavy", "costly"),
    ),
    Domain(
        "shipping",
        ("freight", "planner"),
        ("parcel",),
        ("parcel",),
        (("distance",), ("stops",), ("priority",)),
        (("weight",), ("volume",)),
        (("destination",), ("carrier",)),
        ("lisbon", "oslo", "denver", "quito", "perth"),
        ("urgent", "bulky", "remote"),
    ),
    Domain(
        "banking",
        ("account", "audit"),
        ("deposit",),
        ("deposit",),
        (("term", "months"), ("branch",)),
        (("amount",), ("interest", "rate")),
        (("holder",), ("currency",)),
        ("savings", "checking", "escrow", "euro", "peso"),
        ("overdue", "large", "frozen"),
    ),
    Domain(
        "weather readings",
        ("station", "report"),
        ("reading",),
        ("reading",),
        (("humidity",), ("hour",)),
        (("temperature",), ("pressure",), ("rainfall",)),
        (("station", "code"), ("sky",)),
        ("cloudy", "clear", "foggy", "windy", "stormy"),
        ("humid", "freezing", "rainy"),
    ),
    Domain(
        "student grades",
        ("grade", "book"),
        ("exam",),
        ("exam",),
        (("points",), ("attempts",)),
        (("weight",), ("curve",)),
        (("student",), ("subject",)),
        ("algebra", "biology", "history", "chemistry", "poetry"),
        ("failing", "retaken", "honors"),
    ),
    Domain(
        "fitness tracking",
        ("workout", "log"),
        ("session",),
        ("session",),
        (("minutes",), ("heart", "rate"), ("steps",)),
        (("calories",), ("pace",)),
        (("activity",), ("coach",)),
        ("rowing", "cycling", "yoga", "sprint", "hiking"),
        ("intense", "short", "long"),
    ),
    Domain(
        "library loans",
        ("loan", "desk"),
        ("book",),
        ("book",),
        (("pages",), ("days", "late"), ("copies",)),
        (("fine",), ("rating",)),
        (("title",), ("author",)),
        ("dune", "emma", "ulysses", "beloved", "walden"),
        ("overdue", "rare", "popular"),
    ),
    Domain(
        "payroll",
        ("payroll", "run"),
        ("employee",),
        ("employee",),
        (("hours",), ("grade", "level")),
        (("hourly", "rate"), ("bonus",)),
        (("badge",), ("department",)),
        ("sales", "support", "finance", "design", "legal"),
        ("senior", "parttime", "remote"),
    ),
    Domain(
        "game scores",
        ("score", "board"),
        ("player",),
        ("player",),
        (("score",), ("level",), ("lives",)),
        (("accuracy",), ("play", "time")),
        (("nickname",), ("team",)),
        ("falcon", "otter", "comet", "ember", "nova"),
        ("veteran", "ranked", "idle"),
    ),
    Domain(
        "energy metering",
        ("meter", "billing"),
        ("meter", "reading"),
        ("sample",),
        (("kilowatt", "hours"), ("phase",)),
        (("voltage",), ("tariff",)),
        (("meter", "code"), ("region",)),
        ("north", "harbor", "valley", "uptown", "mill"),
        ("peak", "offpeak", "faulty"),
    ),
    Domain(
        "hotel bookings",
        ("booking", "desk"),
        ("reservation",),
        ("reservation",),
        (("nights",), ("guests",), ("room", "number")),
        (("nightly", "rate"), ("discount",)),
        (("guest", "name"), ("room", "kind")),
        ("suite", "twin", "single", "deluxe", "loft"),
        ("late", "family", "corporate"),
    ),
    Domain(
        "recipe planning",
        ("recipe", "planner"),
        ("ingredient",),
        ("ingredient",),
        (("grams",), ("servings",)),
        (("cost",), ("protein",)),
        (("ingredient", "name"), ("aisle",)),
        ("basil", "lentil", "quinoa", "paprika", "tofu"),
        ("spicy", "fresh", "bulk"),
    ),
    Domain(
        "parking garage",
        ("garage", "monitor"),
        ("vehicle",),
        ("vehicle",),
        (("level",), ("minutes", "parked")),
        (("hourly", "fee"), ("length",)),
        (("plate",), ("zone",)),
        ("alpha", "bravo", "delta", "echo", "kilo"),
        ("oversized", "electric", "reserved"),
    ),
    Domain(
        "music playlists",
        ("playlist", "tool"),
        ("track",),
        ("track",),
        (("seconds",), ("plays",), ("tempo",)),
        (("loudness",), ("rating",)),
        (("artist",), ("genre",)),
        ("jazz", "techno", "folk", "opera", "reggae"),
        ("loud", "popular", "skipped"),
    ),
)


# Keywords and common builtins of the seven languages. A one-word identifier is rendered as the word itself in every
# convention (``total``, ``Total`` in C# methods), so the builder never picks one of these as a one-word name.
RESERVED_WORDS: frozenset[str] = frozenset(
    """
    abstract all any append arguments as assert async await base become bool boolean box break byte cap case catch
    chan char checked class clear close complex const continue copy crate debugger decimal declare def default defer
    del delegate delete dict do double dyn elif else enum eval event except explicit export extends extern fallthrough
    false filter final finally fixed float float32 float64 fn for foreach format from func function get global go
    goto hash id if imag impl implements implicit import in input int int64 interface internal is iota iter lambda
    len let list lock long loop macro make map match max min mod module move mut namespace native new next nil
    nonlocal not null number object of open operator or out override package panic params pass permits print println
    priv private protected pub public raise range readonly real record recover ref return round rune sbyte sealed
    select self set short sizeof sorted stackalloc static str strictfp string struct sum super switch symbol
    synchronized this throw throws trait transient true try type typeof uint ulong unchecked undefined union unsafe
    unsized use ushort using value var virtual void volatile where while with yield zip
""".split()
)
