"""Channel adapters: each translates one platform's updates into ``Incoming`` and renders ``Reply``s."""
