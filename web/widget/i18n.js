// Widget texts: placeholder.
