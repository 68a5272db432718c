from salestui.launch import main

main()
