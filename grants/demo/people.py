"""Plausible Malian names, places and projects for the demo data."""

MALE = ["Moussa", "Boubacar", "Mamadou", "Oumar", "Ibrahim", "Seydou", "Adama", "Bakary",
        "Souleymane", "Sekou", "Modibo", "Amadou", "Drissa", "Lassana", "Youssouf", "Tiémoko",
        "Issa", "Hamidou", "Cheick", "Abdoulaye", "Siaka", "Mahamadou", "Brahima", "Yacouba",
        "Fousseyni", "Alou", "Bourama", "Kalilou", "Sidiki", "Mory"]
FEMALE = ["Aminata", "Fatoumata", "Mariam", "Awa", "Kadiatou", "Oumou", "Djeneba", "Rokia",
          "Salimata", "Assitan", "Hawa", "Kadidia", "Aïssata", "Nana", "Bintou", "Fanta",
          "Korotoumou", "Maïmouna", "Ramata", "Sira"]
SURNAMES = ["Traoré", "Keïta", "Coulibaly", "Diarra", "Konaté", "Camara", "Sissoko", "Touré",
            "Diallo", "Cissé", "Sangaré", "Doumbia", "Kanté", "Dembélé", "Maïga", "Sidibé",
            "Koné", "Diakité", "Samaké", "Bagayoko", "Haïdara", "Fofana", "Ballo", "Dicko",
            "Sacko", "Kouyaté", "Tounkara", "Niaré", "Soumaré", "Guindo"]
COUNTRIES = ["Libye", "Algérie", "Niger", "Mauritanie", "Côte d'Ivoire", "Maroc", "Tunisie",
             "Espagne", "Gabon", "Guinée équatoriale", "France", "Congo"]
# Region code -> (weight, cercle, communes)
PLACES = {
    "00": (30, "Bamako", ["Commune I", "Commune II", "Commune III", "Commune IV", "Commune V",
                          "Commune VI"]),
    "01": (25, "Kayes", ["Kayes", "Khasso", "Liberté Dembaya", "Diamou"]),
    "07": (20, "Gao", ["Gao", "Sony Aliber", "Anchawadi"]),
    "02": (8, "Kati", ["Kati", "Kalaban Coro", "Baguineda"]),
    "03": (6, "Sikasso", ["Sikasso", "Kaboïla"]),
    "04": (6, "Ségou", ["Ségou", "Pelengana", "Markala"]),
    "05": (4, "Mopti", ["Mopti", "Sévaré"]),
    "06": (3, "Tombouctou", ["Tombouctou", "Alafia"]),
    "11": (4, "Nioro du Sahel", ["Nioro", "Sandaré"]),
    "12": (4, "Kita", ["Kita", "Sébékoro"]),
}
SKILLS = {
    "tailoring": ("Couture, coupe", "Couture en atelier à Tripoli"),
    "agriculture": ("Maraîchage", "Travail agricole sous serre en Espagne"),
    "livestock": ("Élevage de moutons", "Gardiennage de troupeaux en Mauritanie"),
    "trade": ("Petit commerce", "Vente en boutique à Alger"),
    "metalwork": ("Soudure", "Soudure sur chantier en Libye"),
    "transport": ("Conduite de moto", "Livreur à Abidjan"),
    "construction": ("Maçonnerie", "Maçon sur des chantiers au Maroc"),
    "hairdressing": ("Coiffure", "Salon de coiffure à Libreville"),
    "agrifood": ("Transformation de céréales", "Boulangerie à Tunis"),
    "mechanics": ("Mécanique moto", "Garage à Niamey"),
    "catering": ("Cuisine", "Restauration à Nouakchott"),
    "digital": ("Réparation de téléphones", "Boutique de téléphones à Alger"),
    "woodwork": ("Menuiserie", "Menuiserie à Oran"),
    "fishing": ("Pêche", "Pêche artisanale en Mauritanie"),
}
# Sector -> (title pattern, product, budget lines: (category, item, quantity, unit cost))
PROJECTS = {
    "tailoring": ("Atelier de couture", "Confection de tenues et de pagnes sur mesure", [
        ("equipment", "Machine à coudre électrique", 2, 185_000),
        ("equipment", "Machine à broder", 1, 420_000),
        ("stock", "Tissus et fournitures", 1, 350_000),
        ("premises", "Loyer de l'atelier (12 mois)", 12, 25_000)]),
    "agriculture": ("Maraîchage", "Oignons, tomates et choux pour les marchés locaux", [
        ("equipment", "Motopompe et tuyaux", 1, 450_000),
        ("equipment", "Grillage de clôture (rouleaux)", 10, 35_000),
        ("stock", "Semences et engrais", 1, 300_000),
        ("working_capital", "Main-d'œuvre saisonnière", 1, 250_000)]),
    "livestock": ("Embouche ovine", "Engraissement de moutons pour la Tabaski", [
        ("livestock", "Moutons à engraisser", 12, 75_000),
        ("stock", "Aliment bétail (sacs)", 40, 12_500),
        ("equipment", "Abreuvoirs et mangeoires", 1, 150_000)]),
    "trade": ("Boutique de quartier", "Vente de produits de première nécessité", [
        ("stock", "Stock initial de marchandises", 1, 1_100_000),
        ("equipment", "Étagères et congélateur", 1, 450_000),
        ("premises", "Aménagement du local", 1, 300_000)]),
    "metalwork": ("Atelier de soudure", "Portes, fenêtres et grilles métalliques", [
        ("equipment", "Poste à souder", 1, 650_000),
        ("equipment", "Meuleuse et outillage", 1, 350_000),
        ("stock", "Fers et tôles", 1, 600_000)]),
    "transport": ("Transport par tricycle", "Transport de marchandises au marché", [
        ("equipment", "Tricycle de transport", 1, 1_650_000),
        ("other", "Assurance et vignette", 1, 150_000)]),
    "construction": ("Entreprise de maçonnerie", "Travaux de maçonnerie et fabrication de briques", [
        ("equipment", "Moule à briques et bétonnière", 1, 900_000),
        ("stock", "Ciment (sacs)", 60, 5_500),
        ("equipment", "Brouettes et outils", 1, 250_000)]),
    "hairdressing": ("Salon de coiffure", "Coiffure et soins de beauté", [
        ("equipment", "Fauteuils et casques séchoirs", 1, 650_000),
        ("stock", "Produits capillaires", 1, 400_000),
        ("premises", "Aménagement du salon", 1, 450_000)]),
    "agrifood": ("Transformation de céréales", "Farine, couscous et dégué conditionnés", [
        ("equipment", "Moulin à céréales", 1, 950_000),
        ("stock", "Céréales (sacs de 100 kg)", 20, 30_000),
        ("equipment", "Scelleuse et emballages", 1, 250_000)]),
    "mechanics": ("Garage de réparation de motos", "Réparation et entretien de motos", [
        ("equipment", "Outillage de mécanicien", 1, 700_000),
        ("stock", "Pièces détachées", 1, 800_000)]),
    "catering": ("Restauration rapide", "Plats du jour et grillades", [
        ("equipment", "Cuisinière, marmites et congélateur", 1, 900_000),
        ("stock", "Vivres de démarrage", 1, 350_000),
        ("premises", "Hangar et tables", 1, 350_000)]),
    "digital": ("Réparation de téléphones", "Réparation de téléphones et transferts d'argent", [
        ("equipment", "Outils de réparation et station de soudure", 1, 450_000),
        ("stock", "Pièces et accessoires", 1, 700_000),
        ("equipment", "Kiosque", 1, 300_000)]),
    "woodwork": ("Menuiserie bois", "Meubles, portes et lits", [
        ("equipment", "Combinée à bois", 1, 1_200_000),
        ("stock", "Planches et contreplaqués", 1, 450_000)]),
    "fishing": ("Pisciculture", "Élevage de tilapias en bassin", [
        ("equipment", "Bassin et bâches", 1, 700_000),
        ("stock", "Alevins et aliment", 1, 650_000)]),
}
