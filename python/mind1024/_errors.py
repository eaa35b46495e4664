"""mind1024's exceptions. Defined here, in Python, so that BadArgument can be
both a ChipError and a ValueError; the C++ core raises these classes."""


class ChipError(RuntimeError):
    """Anything that went wrong with a chip (the base of mind1024's errors)."""


class BadArgument(ChipError, ValueError):
    """An argument the chip refuses: a value outside WBITS/ABITS (naming the
    element), a wrong shape, an unknown order, an out-of-range parameter."""


class BoardError(ChipError):
    """The board failed: a board process that died or stopped answering, a
    SystemC error in it, a firmware error."""


class BusError(BoardError):
    """A bus access the board could not serve; ``address`` is the board address."""

    address: int = 0


class BusyError(BoardError):
    """The chip reported BUSY (a command while it was running)."""
