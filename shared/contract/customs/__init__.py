"""The customs platform's message contract (联网监管): typed messages, their XML form and its XSD, the code lists."""
