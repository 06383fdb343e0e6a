"""`python app.py`: start the web app (the same as `crm serve`)."""

from assistant.webui.app import main

if __name__ == "__main__":
    main()
