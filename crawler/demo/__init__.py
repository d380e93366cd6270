"""The bundled demo news site: a trilingual "Demo Meridian" and a "Demo Wire" that republishes it.

``server.DemoServer`` serves it on loopback, ``site`` renders it from ``stories.json``, and
``truth.truth(base)`` says what a correct crawl of it must store, drop and link.
"""
