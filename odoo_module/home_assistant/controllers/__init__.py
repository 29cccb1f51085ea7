from . import main, portal
