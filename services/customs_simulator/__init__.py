"""A SIMULATOR of the customs platform (单一窗口 / 金关二期), for development, demos and tests. Not customs.

It plays the customs side of the messages in shared/contract/customs: rejects what breaks the published field
rules, assigns numbers in the real formats, selects for inspection by the declaring owner's credit tier
(reproducibly, seeded by the list number), releases after a configurable delay, and can be told to reject,
delay or duplicate a receipt. Every receipt it issues says ``simulated``; it is the only place in bondline
where a customs decision is made up. Point bondline at a real platform adapter in production."""
