from salestui.cli import main

main()
