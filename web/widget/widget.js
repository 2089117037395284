// The deskbell widget: placeholder until the widget lands.
