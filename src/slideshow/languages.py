"""Language tags (BCP-47), checked and named with langcodes, the kept library for them: a tag
is well-formed and known, or a mistake; a deprecated one (iw, ji, in) is a mistake naming
the tag that replaced it."""

from __future__ import annotations

from functools import lru_cache

EXAMPLE = "such as en, he, yi or ru-RU"


@lru_cache(maxsize=256)
def check_tag(value: str) -> str:
    """The tag in its standard case (en-US), or ValueError saying what is wrong with it."""
    import langcodes

    text = str(value).strip()
    try:
        written = langcodes.Language.get(text, normalize=False)
    except (langcodes.LanguageTagError, ValueError):
        raise ValueError(f"expected a language tag {EXAMPLE}, got {value!r}") from None
    current = langcodes.Language.get(text)
    if not current.is_valid() or not written.language:
        raise ValueError(f"{value!r} is not a known language tag ({EXAMPLE})")
    if written.language != current.language:
        raise ValueError(
            f"{value!r} is a deprecated language tag: write {current.to_tag()!r} "
            f"({current.display_name()})"
        )
    return written.to_tag()


@lru_cache(maxsize=256)
def iso639_2(tag: str) -> str:
    """The ISO 639-2 code MP4 (and archive.org) use for a tag; `und` when there is none."""
    import langcodes

    try:
        return langcodes.Language.get(tag).to_alpha3()
    except (LookupError, ValueError, langcodes.LanguageTagError):
        return "und"


@lru_cache(maxsize=256)
def autonym(tag: str) -> str:
    """The language's name in itself, capitalised as a menu shows it: Русский, עברית."""
    import langcodes

    name = langcodes.Language.get(tag).autonym()
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=256)
def english_name(tag: str) -> str:
    import langcodes

    return langcodes.Language.get(tag).display_name()


def is_rtl(tag: str) -> bool:
    """Whether the language is written right to left (by its script)."""
    import langcodes

    script = langcodes.Language.get(tag).maximize().script
    return script in {"Hebr", "Arab", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg", "Samr", "Mand"}
