"""A tiny newsroom written for the tests: three clearly different subjects."""

SPORT = [
    "The striker scored twice as the home team won the league match in front of a record crowd.",
    "The coach praised the defence after the championship game went to extra time and penalties.",
    "Fans cheered the goalkeeper whose saves kept the club top of the league table this season.",
    "The sprinter broke the national record in the final race of the athletics championship.",
]
FOOD = [
    "Farmers brought the apple harvest to the market where chefs bought crates for their kitchens.",
    "The restaurant's new chef cooks seasonal recipes with cheese from local dairy farmers.",
    "A bakery in the old market sells sourdough bread baked with flour from nearby farms.",
    "Chefs and farmers met at the food festival to talk about harvest prices and recipes.",
]
SPACE = [
    "Astronomers using the new telescope found a planet orbiting a distant star in the galaxy.",
    "The rocket launch carried a satellite into orbit to study the planet's atmosphere.",
    "Scientists at the observatory measured light from a supernova in a faraway galaxy.",
    "The space probe sent images of the moon's craters back to the mission team.",
]
