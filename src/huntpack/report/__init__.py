"""The ReportDocument (one versioned output contract) and pure renderers over it.

Never imports ``cli``.
"""
