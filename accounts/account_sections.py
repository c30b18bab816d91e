"""What apps above accounts add to the account page (a member's own usage: the workspaces app),
registered when Django starts, since accounts imports no app above it."""

_sections: list = []


def account_section_register(section) -> None:
    """`section(request)` returns a dict for the account page's context (the keys it fills)."""
    if section not in _sections:
        _sections.append(section)


def account_sections(request) -> dict:
    context = {}
    for section in _sections:
        context.update(section(request))
    return context
