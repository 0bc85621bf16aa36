def tenant(request):
    """The current membership for the navigation (lazy: no query unless a template asks)."""
    return {"membership": getattr(request, "membership", None)}
